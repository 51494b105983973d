import Foundation
import Testing

@testable import FeedParsing

/// feedparser's own test expectations (`Fixtures/feedparser/expectations.jsonl`, from the test
/// documents' `Expect:` lines at the commit named in the fixtures' README), run against
/// `FeedParser`, each feedparser field mapped to the ``Feed``/``Entry`` field that means the same.
///
/// At least 90% must pass. Every failure must be listed in ``knownFailures`` with its reason,
/// and every listed file must still fail: a fix makes this test fail until its line is removed.
@Suite("FeedparserExpectations")
struct FeedparserExpectationsTests {
    /// One line of expectations.jsonl.
    struct Expectation: Decodable, Sendable {
        let file: String
        let field: String
        let entry_index: Int?
        let expected: Expected
        let expected_iso_utc: String?
        let http: Bool
        let http_headers: [String: String]?

        /// A header by case-insensitive name.
        func header(_ name: String) -> String? {
            http_headers?.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }

        var label: String { "\(file) [\(entry_index.map { "entries[\($0)]" } ?? "feed")] \(field)" }
    }

    /// feedparser's expected value: a string, or something else (a time tuple for `*_parsed`,
    /// whose instant is in `expected_iso_utc`).
    enum Expected: Decodable, Sendable, Equatable {
        case text(String)
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .text(text) } else { self = .other }
        }
    }

    /// Lines that fail, by file, with why. Every failing line's file must be here and every file
    /// here must have a failing line.
    static let knownFailures: [String: String] = {
        let cdf = """
            unsupported format: Microsoft CDF (<CHANNEL>/<ITEM> root, upper-case, no namespace). feedparser reads it; \
            HubDiffer recognises only RSS, RDF, Atom and JSON Feed roots, so the document is .notAFeed by design \
            (XMLFeedBuilder.recogniseRoot)
            """
        return [
            "tests/wellformed/cdf/item_href_map_link.xml": cdf,
            "tests/wellformed/cdf/item_lastmod_parsed.xml": cdf,
            "tests/wellformed/cdf/item_title.xml": cdf,
        ]
    }()

    /// Titles that feedparser returns as (sanitised) HTML, because the document's title is
    /// HTML or XHTML (feedparser's `title_detail.type` is text/html or application/xhtml+xml):
    /// ``Entry/title`` is plain text by contract ("entities decoded", markup dropped), so the
    /// expectation here is the text of feedparser's HTML value. For the `base/` cases this
    /// means the URI resolution inside the markup (what feedparser tests there) is not
    /// checked: a text title has no URIs; only that the title is read is.
    static let titleAsText: [String: String] = [
        "tests/wellformed/atom/entry_title_escaped_markup.xml": "Example Atom",
        "tests/wellformed/atom/entry_title_inline_markup.xml": "Example Atom",
        "tests/wellformed/atom/entry_title_inline_markup_2.xml": "History of the <blink> tag",
        "tests/wellformed/atom/entry_title_naked_markup.xml": "Example Atom",
        "tests/wellformed/atom10/entry_title_escaped_markup.xml": "Example Atom",
        "tests/wellformed/atom10/entry_title_inline_markup.xml": "Example Atom",
        "tests/wellformed/atom10/entry_title_inline_markup_2.xml": "History of the <blink> tag",
        "tests/wellformed/base/http_entry_title_base64_base_content_location.xml": "click here",
        "tests/wellformed/base/http_entry_title_base64_base_docuri.xml": "click here",
        "tests/wellformed/base/http_entry_title_base_content_location.xml": "click here",
        "tests/wellformed/base/http_entry_title_base_docuri.xml": "click here",
        "tests/wellformed/base/http_entry_title_inline_base_content_location.xml": "click here",
        "tests/wellformed/base/http_entry_title_inline_base_docuri.xml": "click here",
    ]

    /// The address feedparser's test server serves the test documents from.
    static let testServer = "http://127.0.0.1:8097/"

    static var fixtures: URL {
        get throws {
            try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("feedparser")
        }
    }

    static func loadExpectations() throws -> [Expectation] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("expectations.jsonl"), encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(Expectation.self, from: Data($0.utf8)) }
    }

    /// What the parser is told besides the bytes. Over HTTP (feedparser's test server) the
    /// document URL is the request URL, or the `Content-Location` header resolved against it;
    /// the charset is the one of the `Content-Type` header.
    static func options(for expectation: Expectation) -> ParserOptions {
        guard expectation.http else { return ParserOptions() }
        let requestURL = testServer + expectation.file
        let documentURL = expectation.header("Content-Location").map { URLResolver.resolve($0, against: requestURL) } ?? requestURL
        return ParserOptions(documentURL: documentURL, httpCharset: expectation.header("Content-Type").flatMap(charset))
    }

    /// The `charset` parameter of a Content-Type value.
    static func charset(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "charset" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }
        }
        return nil
    }

    /// A field's value in our model, as text (dates as YYYY-MM-DDTHH:MM:SSZ); nil when absent.
    enum Actual: Equatable {
        case value(String?)
        /// The field has no counterpart here.
        case unmapped
    }

    static func actual(_ field: String, entry: Entry?, feed: Feed) -> Actual {
        if field.hasPrefix("feed.") {
            switch field.dropFirst(5) {
            case "title": return .value(feed.title)
            case "link": return .value(feed.link)
            default: return .unmapped
            }
        }
        guard let entry else { return .value(nil) }
        switch field {
        case "title": return .value(entry.title)
        case "link": return .value(entry.link)
        case "id", "guid": return .value(entry.id)
        case "summary", "description": return .value(entry.summary)
        case "content": return .value(entry.content)
        case "author": return .value(entry.authors.first)
        case "category": return .value(entry.categories.first)
        case "enclosure_url", "enclosures[0].href", "enclosures[0].url": return .value(entry.enclosures.first?.url)
        case "published_parsed", "issued_parsed": return .value(entry.published.map(FeedDate.format))
        // feedparser's `updated_parsed` falls back to `published_parsed` (a deprecated alias);
        // here it means the entry's own updated date only.
        case "updated_parsed", "modified_parsed": return .value(entry.updated.map(FeedDate.format))
        default: return .unmapped
        }
    }

    /// The value our model should hold for this expectation.
    static func expectedValue(_ expectation: Expectation) -> String? {
        if expectation.field.hasSuffix("_parsed") { return expectation.expected_iso_utc }
        if expectation.field == "title", let text = titleAsText[expectation.file] { return text }
        if case .text(let text) = expectation.expected { return text }
        return nil
    }

    struct Failure {
        let expectation: Expectation
        let detail: String
    }

    /// Runs one expectation: nil when it passes, else what went wrong.
    static func run(_ expectation: Expectation) throws -> Failure? {
        let url = try fixtures.appendingPathComponent(expectation.file)
        let bytes = try [UInt8](Data(contentsOf: url))
        let feed: Feed
        do {
            feed = try FeedParser.parse(bytes, options: options(for: expectation))
        } catch {
            return Failure(expectation: expectation, detail: "parse failed: \(error)")
        }
        var entry: Entry?
        if let index = expectation.entry_index {
            guard feed.entries.indices.contains(index) else {
                return Failure(expectation: expectation, detail: "no entries[\(index)]: \(feed.entries.count) entries")
            }
            entry = feed.entries[index]
        }
        let expected = expectedValue(expectation)
        switch actual(expectation.field, entry: entry, feed: feed) {
        case .unmapped:
            return Failure(expectation: expectation, detail: "field \(expectation.field) has no counterpart in Feed/Entry")
        case .value(let value) where value == expected:
            return nil
        case .value(let value):
            return Failure(
                expectation: expectation,
                detail: "expected \(expected.map { $0.debugDescription } ?? "nil"), got \(value.map { $0.debugDescription } ?? "nil")")
        }
    }

    @Test("feedparser's expectations: at least 90% pass, every failure known and explained")
    func expectations() throws {
        let expectations = try Self.loadExpectations()
        #expect(expectations.count == 95)

        var failures: [Failure] = []
        for expectation in expectations {
            if let failure = try Self.run(expectation) { failures.append(failure) }
        }
        let passed = expectations.count - failures.count
        let rate = Double(passed) / Double(expectations.count)

        var report = "feedparser expectations: \(passed)/\(expectations.count) pass (\(String(format: "%.1f", rate * 100))%)\n"
        var explained: Set<String> = []
        for failure in failures {
            report += "  FAIL \(failure.expectation.label): \(failure.detail)\n"
            let reason = Self.knownFailures[failure.expectation.file] ?? "NOT LISTED in knownFailures"
            report += "       why: " + (explained.insert(reason).inserted ? reason : "as above (\(reason.prefix(40))…)") + "\n"
        }
        print(report, terminator: "")

        for failure in failures where Self.knownFailures[failure.expectation.file] == nil {
            Issue.record("unexpected failure \(failure.expectation.label): \(failure.detail)")
        }
        let failingFiles = Set(failures.map(\.expectation.file))
        for (file, reason) in Self.knownFailures.sorted(by: { $0.key < $1.key }) where !failingFiles.contains(file) {
            if expectations.contains(where: { $0.file == file }) {
                Issue.record("known failure now passes, remove it from knownFailures: \(file) (\(reason.prefix(60))…)")
            } else {
                Issue.record("known failure names a file that expectations.jsonl does not: \(file)")
            }
        }
        #expect(rate >= 0.9, "pass rate \(passed)/\(expectations.count) is below 90%")
    }

    @Test("the title-as-text mapping names only title expectations whose feedparser value is markup")
    func titleMappingIsAccurate() throws {
        let expectations = try Self.loadExpectations()
        for (file, text) in Self.titleAsText.sorted(by: { $0.key < $1.key }) {
            let lines = expectations.filter { $0.file == file && $0.field == "title" }
            #expect(!lines.isEmpty, "\(file) has no title expectation")
            for line in lines {
                guard case .text(let html) = line.expected else {
                    Issue.record("\(file): expected value is not a string")
                    continue
                }
                // Markup, or HTML text whose references only an HTML reading decodes.
                #expect(html.contains("<") || html.contains("&"), "\(file): feedparser's title \(html.debugDescription) is not HTML")
                #expect(html != text)
            }
        }
    }

    @Test("exactly the documents expectations.jsonl names are bundled, and all of them exist")
    func fixturesMatchExpectations() throws {
        let expectations = try Self.loadExpectations()
        let named = Set(expectations.map(\.file))
        #expect(named.count == 89)
        let root = try Self.fixtures
        for file in named.sorted() {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(file).path), "\(file) missing")
        }
        var bundled: Set<String> = []
        let tests = root.appendingPathComponent("tests")
        if let enumerator = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                bundled.insert("tests/" + url.path.dropFirst(tests.path.count + 1))
            }
        }
        #expect(bundled == named, "extra: \(bundled.subtracting(named).sorted()), missing: \(named.subtracting(bundled).sorted())")
    }

    @Test("Content-Type charset parameters are read")
    func charsetParameter() {
        #expect(Self.charset("application/xml; charset=utf-8") == "utf-8")
        #expect(Self.charset("text/xml;Charset=\"ISO-8859-1\"") == "ISO-8859-1")
        #expect(Self.charset("application/atom+xml") == nil)
    }
}
