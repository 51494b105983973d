/// What the publisher said about polling, seen on one poll.
public struct PollHints: Sendable, Equatable {
    /// RSS `<ttl>` (or a similar in-document hint): poll no sooner than this.
    public var ttl: Duration?
    /// `Cache-Control: max-age`: poll no sooner than this.
    public var maxAge: Duration?
    /// The target of a 301/308 redirect seen on this poll.
    public var permanentRedirect: String?

    /// Hints; every argument left out is absent.
    public init(ttl: Duration? = nil, maxAge: Duration? = nil, permanentRedirect: String? = nil) {
        self.ttl = ttl
        self.maxAge = maxAge
        self.permanentRedirect = permanentRedirect
    }

    /// No hints at all.
    public static let none = PollHints()
}
