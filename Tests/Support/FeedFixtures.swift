/// Small RSS documents for the fetch tests.
public enum FeedFixtures {
    /// An RSS 2.0 feed with items `items` (guid `item-N`, title `Item N`), newest first.
    public static func rss(items: ClosedRange<Int>) -> String {
        var text = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Fixture</title><link>http://example.com/</link>
            <description>test feed</description>

            """
        for index in items.reversed() {
            text += """
                <item><title>Item \(index)</title><link>http://example.com/\(index)</link>\
                <guid isPermaLink="false">item-\(index)</guid>\
                <pubDate>Mon, 02 Feb 2026 \(twoDigits(index % 24)):00:00 GMT</pubDate></item>

                """
        }
        return text + "</channel></rss>\n"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
