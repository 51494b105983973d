import ArgumentParser
import CCurl
import CHiredis
import FeedParsing
import Fetcher

/// `hubdiffer version`: this program and the C libraries it runs on.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the versions of HubDiffer and of the C libraries it uses.",
        discussion: "Example:\n  hubdiffer version")

    func run() {
        print("hubdiffer \(HubDifferVersion.current)")
        print("libxml2 \(LibraryVersions.libxml2)")
        print("libcurl \(String(cString: hd_curl_version_string()))")
        print("hiredis \(hd_hiredis_version_major()).\(hd_hiredis_version_minor()).\(hd_hiredis_version_patch())")
        print("xxhash \(LibraryVersions.xxhash)")
    }
}
