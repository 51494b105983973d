/// Small RSS documents for the fetch tests.
enum FeedFixtures {
    /// An RSS 2.0 feed with items `items` (guid `item-N`), newest first.
    static func rss(items: ClosedRange<Int>) -> String {
        var text = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel><title>Fixture</title><link>http://example.com/</link>
            <description>test feed</description>

            """
        for index in items.reversed() {
            text += """
                <item><title>Item \(index)</title><link>http://example.com/\(index)</link>\
                <guid isPermaLink="false">item-\(index)</guid>\
                <pubDate>Mon, 02 Feb 2026 \(String(format2: index % 24)):00:00 GMT</pubDate></item>

                """
        }
        return text + "</channel></rss>\n"
    }
}

extension String {
    /// A number on two digits.
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
