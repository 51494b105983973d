import Foundation
import Testing
import TestSupport

@testable import FeedParsing

/// Documents that make libxml2 2.9 quadratic (attributes on one element) are refused before it
/// sees them; a parse over its time budget is abandoned.
@Suite("Attribute census and time budget", .ownThread)
struct AttributeCensusTests {
    static func item(attributes: Int) -> [UInt8] {
        var text = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item"
        text.reserveCapacity(attributes * 16 + 200)
        for index in 0..<attributes { text += " attr\(index)=\"xy\"" }
        text += "><title>hostile</title></item></channel></rss>"
        return Array(text.utf8)
    }

    @Test("500,000 attributes on one <item> (about 8 MB) are refused at once, naming the line")
    func halfAMillion() {
        let bytes = Self.item(attributes: 500_000)
        #expect(bytes.count > 7_500_000)
        let start = ContinuousClock.now
        #expect(throws: FeedParsingError.tooManyAttributes(line: 1, count: 500_000, limit: 1_000, inOneElement: true)) {
            _ = try FeedParser.parse(bytes)
        }
        // Alone this takes 0.3 s (debug build); with the whole suite on 2 loaded cores, up to
        // 4 s. Without the census libxml2 spends minutes on it: 10 s still tells them apart.
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test("an element at the limit parses; one over it is refused; the total is bounded too")
    func limits() throws {
        #expect(try FeedParser.parse(Self.item(attributes: 1_000)).entries.count == 1)
        #expect(throws: FeedParsingError.self) { _ = try FeedParser.parse(Self.item(attributes: 1_001)) }
        var many = "<rss version=\"2.0\"><channel><title>t</title>\n"
        for index in 0..<30 { many += "<item a=\"1\" b=\"2\"><title>\(index)</title></item>\n" }
        many += "</channel></rss>"
        let limits = ParserLimits(maxAttributes: 40)
        #expect(throws: FeedParsingError.tooManyAttributes(line: 21, count: 41, limit: 40, inOneElement: false)) {
            _ = try FeedParser.parse(Array(many.utf8), options: ParserOptions(limits: limits))
        }
        // Quotes hide `=` and `>`; comments and text do not count.
        let quoted = "<rss version=\"2.0\"><channel><title>a = b > c</title><!-- x=1 --><item><link href=\"?a=1&amp;b=2>\"/></item></channel></rss>"
        #expect(throws: Never.self) {
            _ = try FeedParser.parse(Array(quoted.utf8), options: ParserOptions(limits: ParserLimits(maxAttributes: 2)))
        }
        // CDATA sections are skipped: the HTML inside them is text.
        let cdata = "<rss version=\"2.0\"><channel><title>t</title><item><description><![CDATA[<a x=\"1\" y=\"2\" z=\"3\">]] ]>]]></description></item></channel></rss>"
        #expect(throws: Never.self) {
            _ = try FeedParser.parse(Array(cdata.utf8), options: ParserOptions(limits: ParserLimits(maxAttributesPerElement: 1, maxAttributes: 1)))
        }
    }

    @Test("the census's edges: single quotes, a '<' that ends a tag, an unclosed quote or CDATA section, the line of a refusal")
    func censusEdges() {
        func refusal(_ text: String, perElement: Int, inAll: Int = 1_000_000) -> FeedParsingError? {
            do {
                try AttributeCensus.check(Array(text.utf8), limits: ParserLimits(maxAttributesPerElement: perElement, maxAttributes: inAll))
                return nil
            } catch { return error }
        }
        // Single quotes hide '=' and '>' as double quotes do.
        #expect(refusal("<a x='1>=2' y=\"=\">", perElement: 2) == nil)
        #expect(refusal("<a x='1>=2' y=\"=\" z=3>", perElement: 2) == .tooManyAttributes(line: 1, count: 3, limit: 2, inOneElement: true))
        // A '<' ends the tag: the '=' after it belong to the next one.
        #expect(refusal("<a x=1 <b y=2 z=3>", perElement: 2) == nil)
        // A quote left open runs to the end: nothing after it counts.
        #expect(refusal("<a x=\"1 y=2 z=3 w=4>", perElement: 1) == nil)
        // A CDATA section full of '<' before the tag, and text after it.
        let afterCDATA = "<r><![CDATA[<<<<x=1 y=2 z=3 w=4>]]>" + String(repeating: "t", count: 100) + "<a x=1 y=2 z=3/>" + String(repeating: "u", count: 70)
        #expect(refusal(afterCDATA, perElement: 3) == nil)
        #expect(refusal(afterCDATA, perElement: 2) == .tooManyAttributes(line: 1, count: 3, limit: 2, inOneElement: true))
        // An unclosed CDATA section ends the scan.
        #expect(refusal("<a><![CDATA[ <b x=1 y=2> ", perElement: 1) == nil)
        // The same tag at offsets on both sides of the 16- and 64-byte steps of the scan for
        // '<', and the line of the refusal.
        for padding in Array(0..<33) + [63, 64, 65, 127, 128, 129] {
            let text = String(repeating: " ", count: padding) + "<r>\n<a x=1 y=2 z=3 w=4>text</a><b v=1/></r>"
            #expect(refusal(text, perElement: 4) == nil, "padding \(padding)")
            #expect(refusal(text, perElement: 3) == .tooManyAttributes(line: 2, count: 4, limit: 3, inOneElement: true), "padding \(padding)")
            #expect(refusal(text, perElement: 4, inAll: 4) == .tooManyAttributes(line: 2, count: 5, limit: 4, inOneElement: false), "padding \(padding)")
        }
    }

    @Test("a parse over its time budget is abandoned with a typed error")
    func timeBudget() {
        var text = "<rss version=\"2.0\"><channel><title>t</title>"
        for index in 0..<5_000 { text += "<item><title>\(index)</title><guid>g\(index)</guid></item>" }
        text += "</channel></rss>"
        let options = ParserOptions(limits: ParserLimits(timeBudget: .nanoseconds(1)))
        #expect(throws: FeedParsingError.timeBudgetExceeded(.nanoseconds(1))) { _ = try FeedParser.parse(Array(text.utf8), options: options) }
        #expect(throws: Never.self) { _ = try FeedParser.parse(Array(text.utf8), options: ParserOptions(limits: ParserLimits(timeBudget: .seconds(30)))) }
    }
}
