/// One line of the feeds file, as far as scheduling goes.
public struct ScheduledFeed: Sendable, Equatable {
    /// The feed's identifier.
    public var id: Int64
    /// The URL to poll.
    public var url: String
    /// An interval pinned by the feeds file, or nil for an adaptive one.
    public var interval: Duration?

    /// A feed; `interval` nil means adaptive.
    public init(id: Int64, url: String, interval: Duration? = nil) {
        self.id = id
        self.url = url
        self.interval = interval
    }
}
