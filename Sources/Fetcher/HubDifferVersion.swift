/// The version of HubDiffer, the one place it is written: `hubdiffer version`,
/// `hubdiffer --version` and the User-Agent every poll sends. It lives in the fetcher, the
/// lowest module that needs it.
public enum HubDifferVersion {
    public static let current = "0.1.0"
}
