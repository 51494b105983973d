import Dispatch

/// The state of one parse: the builder, the names met so far, and what libxml2 reported. What
/// each SAX event means for the parse (depth, time budget, entity expansion, names, errors)
/// is decided here; ``LibXML2SAXParser`` hands the events over. Names and attribute values
/// arrive as pointers to libxml2's NUL-terminated UTF-8 (`xmlChar` is `UInt8`), valid during
/// the call; no libxml2 type is read here.
struct SAXSession {
    var builder: XMLFeedBuilder
    var report = XMLParseReport(wellFormed: true, firstError: nil, errorCount: 0, refusal: nil)
    /// The known local names by their interned address (``KnownNames``).
    private let localNames: InternedNameTable<LocalName>
    /// The feed namespaces as documents usually spell them, by the same interned addresses.
    private let usualNamespaces: InternedNameTable<XMLNamespace>
    private var namespaces = InternedNameTable<XMLNamespace>()
    private var prefixes = InternedNameTable<XMLNamespace>()
    /// The reported attributes of the start tag at hand, reused from tag to tag.
    private var attributeList: [XMLAttribute] = []

    /// Bytes the document's own entities have expanded to, and the most allowed.
    private var expandedBytes = 0
    private let expansionLimit: Int
    /// Elements open now.
    private var depth = 0
    /// The elements until the clock is read again (``withinBudget()``).
    private var elementsUntilClock = 0
    /// See `stopAtForbiddenCharacter` in ``LibXML2SAXParser/parse(_:encoding:into:stopAtForbiddenCharacter:)``.
    private let stopsAtForbiddenCharacter: Bool
    /// When the parse is abandoned (``ParserLimits/timeBudget``), as `DispatchTime` uptime
    /// nanoseconds: a plain integer, where a `ContinuousClock.Instant` (a resilient type) made
    /// every field after it cost a call for the struct's layout on each element.
    private let deadline: UInt64?
    private let timeBudget: Duration?

    /// The deepest nesting read: libxml2's own bound without `XML_PARSE_HUGE`
    /// (`xmlParserMaxDepth`), enforced here because its push parser (which this parse uses)
    /// does not check it.
    static let maximumDepth = 256

    /// `localNames` and `usualNamespaces`: the process's interned known names (``KnownNames``).
    init(
        builder: XMLFeedBuilder, localNames: InternedNameTable<LocalName>, usualNamespaces: InternedNameTable<XMLNamespace>,
        documentBytes: Int, timeBudget: Duration?, stopsAtForbiddenCharacter: Bool
    ) {
        self.builder = builder
        self.localNames = localNames
        self.usualNamespaces = usualNamespaces
        self.stopsAtForbiddenCharacter = stopsAtForbiddenCharacter
        expansionLimit = max(1 << 20, 4 * documentBytes)
        self.timeBudget = timeBudget
        deadline = timeBudget.map { budget in
            let (seconds, attoseconds) = budget.components
            let nanoseconds = seconds <= 0 ? 0 : UInt64(min(seconds, 1 << 32)) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
            return DispatchTime.now().uptimeNanoseconds + nanoseconds
        }
    }

    /// False once the time budget is spent (the clock is read every 64 elements), with the
    /// refusal set.
    mutating func withinBudget() -> Bool {
        elementsUntilClock -= 1
        guard elementsUntilClock <= 0 else { return true }
        elementsUntilClock = 64
        guard let deadline, let budget = timeBudget, DispatchTime.now().uptimeNanoseconds > deadline else { return true }
        if report.refusal == nil { report.refusal = .timeBudgetExceeded(budget) }
        return false
    }

    /// Counts an expansion; false once the total passes the limit.
    mutating func countExpansion(_ bytes: Int) -> Bool {
        expandedBytes += bytes
        return expandedBytes <= expansionLimit
    }

    // MARK: - Names

    /// The known name at `pointer` in `names`, else `.other`. Static, and handed the table:
    /// a method on `self` made each mutating caller copy the whole session (681 bytes) first.
    @inline(__always)
    static func localName(_ pointer: UnsafePointer<UInt8>, in names: InternedNameTable<LocalName>) -> LocalName {
        names.value(for: UnsafeRawPointer(pointer)) ?? .other
    }

    mutating func namespace(uri: UnsafePointer<UInt8>?, prefix: UnsafePointer<UInt8>?) -> XMLNamespace {
        if let uri {
            let key = UnsafeRawPointer(uri)
            if let known = usualNamespaces.value(for: key) ?? namespaces.value(for: key) { return known }
            let resolved = XMLNamespace(uri: String(cString: uri))
            namespaces.insert(resolved, for: key)
            return resolved
        }
        guard let prefix else { return .none }
        let key = UnsafeRawPointer(prefix)
        if let known = prefixes.value(for: key) { return known }
        let resolved = XMLNamespace(undeclaredPrefix: String(cString: prefix))
        prefixes.insert(resolved, for: key)
        return resolved
    }

    private static func qualified(_ local: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?) -> String {
        let name = String(cString: local)
        guard let prefix else { return name }
        return String(cString: prefix) + ":" + name
    }

    // MARK: - Events

    /// One element deeper; false (with the refusal set) past ``maximumDepth``.
    mutating func enter(line: Int) -> Bool {
        depth += 1
        guard depth > Self.maximumDepth else { return true }
        if report.refusal == nil { report.refusal = .nestingTooDeep(line: line) }
        return false
    }

    mutating func startElement(
        _ local: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?, _ uri: UnsafePointer<UInt8>?,
        _ attributeCount: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    ) {
        let raw = builder.wantsRawNames
        let known = Self.localName(local, in: localNames)
        var name = XMLElementName(namespace: namespace(uri: uri, prefix: prefix), local: known)
        if raw && (known == .other || prefix != nil) { name.qualifiedName = Self.qualified(local, prefix) }
        if !attributeList.isEmpty { attributeList.removeAll(keepingCapacity: true) }
        if attributeCount > 0, let attributes {
            for index in 0..<Int(attributeCount) {
                guard let attributeLocal = attributes[index * 5] else { continue }
                let attributeName = Self.localName(attributeLocal, in: localNames)
                if attributeName == .other && !raw { continue }
                let attributePrefix = attributes[index * 5 + 1]
                let attributeURI = attributes[index * 5 + 2]
                var value = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
                if let start = attributes[index * 5 + 3], let end = attributes[index * 5 + 4] {
                    value = UnsafeBufferPointer(start: start, count: end - start)
                }
                var attribute = XMLAttribute(
                    namespace: attributeURI == nil && attributePrefix == nil ? .none : namespace(uri: attributeURI, prefix: attributePrefix),
                    local: attributeName, valueBytes: value)
                if raw { attribute.qualifiedName = Self.qualified(attributeLocal, attributePrefix) }
                attributeList.append(attribute)
            }
        }
        // The values point into libxml2's buffers: the builder reads them during this call only.
        let list = attributeList
        list.withUnsafeBufferPointer { builder.startElement(name, attributes: XMLAttributes($0)) }
    }

    mutating func endElement(_ local: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?, _ uri: UnsafePointer<UInt8>?) {
        depth -= 1
        guard builder.wantsRawNames else {
            // Outside kept markup the builder ends elements by depth alone.
            builder.endElement(XMLElementName(namespace: .other, local: .other))
            return
        }
        let known = Self.localName(local, in: localNames)
        var name = XMLElementName(namespace: namespace(uri: uri, prefix: prefix), local: known)
        if known == .other || prefix != nil { name.qualifiedName = Self.qualified(local, prefix) }
        builder.endElement(name)
    }

    /// What an error means to the parse (see ``error(line:kind:message:)``).
    enum ErrorKind { case forbiddenCharacter, entityLoop, other }

    /// Called for every error and warning, so `message` is called only when one is needed: a
    /// damaged document can raise thousands.
    mutating func error(line: Int, kind: ErrorKind, message: () -> String) {
        report.errorCount += 1
        if !builder.rootClosed { report.damageOnlyAfterRoot = false }
        if report.firstError == nil {
            let message = message()
            report.firstErrorLine = line
            report.firstErrorMessage = message
            report.firstError = "line \(line): \(message)"
            report.firstErrorIsForbiddenCharacter = kind == .forbiddenCharacter
            // Honoured at the next start tag (see the startElementNs callback).
            report.stoppedAtForbiddenCharacter =
                stopsAtForbiddenCharacter && report.firstErrorIsForbiddenCharacter && !builder.rootClosed
        }
        guard report.refusal == nil else { return }
        if kind == .entityLoop {
            report.refusal = .entityExpansionLimit(line: line)
        }
    }
}
