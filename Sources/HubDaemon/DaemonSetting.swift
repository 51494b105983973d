import Foundation

/// One setting of `hubdiffer run`: its key, which is both its line in the configuration file
/// (`key = value`) and its long flag (`--key value`), the help and value name the flag shows,
/// and how a value is checked and applied to a ``DaemonConfiguration``. The table of them is
/// ``all``: the flags, the file's keys and their help all come from it.
public struct DaemonSetting: Sendable {
    /// How a setting is written.
    public enum Form: Sendable, Equatable {
        /// `--key VALUE`, `key = VALUE`.
        case value
        /// `--key` alone; `key = true` or `false` in the file.
        case flag
        /// `--key VALUE`, repeatable; in the file repeated or comma-separated. Flags given
        /// replace the file's list.
        case list
    }

    /// The key in the file and the long flag, as `min-interval`.
    public let key: String
    public let form: Form
    /// What the flag's `--help` calls its value (`seconds`, `file`…); nil for a flag.
    public let valueName: String?
    /// The help text: what the setting does and its default.
    public let help: String
    private let apply: @Sendable (inout DaemonConfiguration, String) throws(DaemonConfiguration.Problem) -> Void
    private let clear: @Sendable (inout DaemonConfiguration) -> Void

    init(
        _ key: String, _ form: Form = .value, valueName: String?, help: String,
        clear: @escaping @Sendable (inout DaemonConfiguration) -> Void = { _ in },
        apply: @escaping @Sendable (inout DaemonConfiguration, String) throws(DaemonConfiguration.Problem) -> Void
    ) {
        self.key = key
        self.form = form
        self.valueName = valueName
        self.help = help
        self.clear = clear
        self.apply = apply
    }

    /// The setting with this key; nil when there is none.
    public static func named(_ key: String) -> DaemonSetting? { all.first { $0.key == key } }

    /// Applies one value to `configuration` (for a list, adds to it).
    func apply(_ value: String, to configuration: inout DaemonConfiguration) throws(DaemonConfiguration.Problem) {
        try apply(&configuration, value)
    }

    /// Empties a list setting (nothing for the others).
    func clear(_ configuration: inout DaemonConfiguration) { clear(&configuration) }

    // MARK: - Kinds of values

    /// A text used as it is.
    static func text(
        _ key: String, _ valueName: String, _ help: String, set: @escaping @Sendable (inout DaemonConfiguration, String) -> Void
    ) -> DaemonSetting {
        DaemonSetting(key, valueName: valueName, help: help) { configuration, value throws(DaemonConfiguration.Problem) in
            set(&configuration, value)
        }
    }

    /// A text, or nothing when empty.
    static func optionalText(
        _ key: String, _ valueName: String, _ help: String, set: @escaping @Sendable (inout DaemonConfiguration, String?) -> Void
    ) -> DaemonSetting {
        DaemonSetting(key, valueName: valueName, help: help) { configuration, value throws(DaemonConfiguration.Problem) in
            set(&configuration, value.isEmpty ? nil : value)
        }
    }

    /// A value `parse` reads; nil from it is refused with `problem`.
    static func parsed<Value>(
        _ key: String, _ valueName: String?, _ help: String, form: Form = .value, problem: String,
        _ parse: @escaping @Sendable (String) -> Value?, set: @escaping @Sendable (inout DaemonConfiguration, Value) -> Void
    ) -> DaemonSetting {
        DaemonSetting(key, form, valueName: valueName, help: help) { configuration, value throws(DaemonConfiguration.Problem) in
            guard let parsed = parse(value) else { throw DaemonConfiguration.Problem(description: problem) }
            set(&configuration, parsed)
        }
    }

    /// A whole number in `range`.
    static func number(
        _ key: String, _ valueName: String, _ range: ClosedRange<Int>, _ help: String,
        set: @escaping @Sendable (inout DaemonConfiguration, Int) -> Void
    ) -> DaemonSetting {
        let problem = "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound)"
        return parsed(key, valueName, help, problem: problem, { Int($0).flatMap { range.contains($0) ? $0 : nil } }, set: set)
    }

    /// A list (repeatable, or comma-separated in one value): each item that `problem` finds
    /// nothing wrong with is added by `append`; `clear` empties the list.
    static func list(
        _ key: String, _ valueName: String, _ help: String, problem: @escaping @Sendable (String) -> String?,
        clear: @escaping @Sendable (inout DaemonConfiguration) -> Void,
        append: @escaping @Sendable (inout DaemonConfiguration, String) -> Void
    ) -> DaemonSetting {
        DaemonSetting(key, .list, valueName: valueName, help: help, clear: clear) { configuration, value throws(DaemonConfiguration.Problem) in
            for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                if let problem = problem(item) { throw DaemonConfiguration.Problem(description: "\(key): \(problem)") }
                append(&configuration, item)
            }
        }
    }
}
