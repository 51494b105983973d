import ArgumentParser
import HubDaemon

/// The flags of a parsed command that are daemon settings (`DaemonSetting.all`), read by
/// reflection so that no second list of them is written: a property is the setting whose key
/// is its name in the form of a long flag (`minInterval` → `min-interval`), as ArgumentParser
/// names the flag. The test of `hubdiffer run --help` keeps the flags and the table alike.
enum SettingFlags {
    /// Applies every setting given as a flag over `configuration` (the file's): a value
    /// replaces the file's, a repeated option replaces the file's list, a flag given sets
    /// `true`. Option groups are read too.
    static func apply(_ arguments: Any, to configuration: inout DaemonConfiguration) throws(DaemonConfiguration.Problem) {
        for child in Mirror(reflecting: arguments).children {
            guard let label = child.label, label.hasPrefix("_") else { continue }
            if let group = child.value as? any ArgumentGroup {
                try apply(group.arguments, to: &configuration)
                continue
            }
            let key = flagName(label.dropFirst())
            guard DaemonSetting.named(key) != nil else { continue }
            switch child.value {
            case let option as Option<String?>:
                if let value = option.wrappedValue { try configuration.set(key, value) }
            case let option as Option<[String]>:
                if !option.wrappedValue.isEmpty { try configuration.replace(key, with: option.wrappedValue) }
            case let flag as Flag<Bool>:
                if flag.wrappedValue { try configuration.set(key, "true") }
            default:
                preconditionFailure("the flag --\(key) must be declared as String?, [String] or a Bool flag")
            }
        }
    }

    /// `minInterval` → `min-interval`, `contactURL` → `contact-url`.
    static func flagName(_ property: Substring) -> String {
        let characters = Array(property)
        var name = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if !previous.isUppercase || next?.isLowercase == true { name += "-" }
            }
            name += character.lowercased()
        }
        return name
    }
}

/// An `@OptionGroup`, whose arguments are read like the command's own.
private protocol ArgumentGroup {
    var arguments: Any { get }
}

extension OptionGroup: ArgumentGroup {
    fileprivate var arguments: Any { wrappedValue }
}

extension ArgumentHelp {
    /// The help of the daemon setting `key` (see `DaemonSetting.all`).
    static func setting(_ key: String) -> ArgumentHelp {
        guard let setting = DaemonSetting.named(key) else { preconditionFailure("no daemon setting `\(key)`") }
        return ArgumentHelp(setting.help, valueName: setting.valueName)
    }
}
