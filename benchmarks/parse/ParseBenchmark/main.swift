// Parse speed against a bare libxml2 SAX2 pass, measured in one process: every document is
// parsed by both, one right after the other (the order flips each round), and each side's time
// is summed. On a shared VM whose speed drifts by ±30% over seconds, this keeps both sides
// under the same conditions, which separate runs of two programs cannot.
//
// Usage: swift run -c release ParseBenchmark [--rounds N] [--per-document] FILE...
//   --per-document also lists the ten documents where FeedParser spends most beyond the raw pass.
import CSystem
import FeedParsing
import Foundation
import RawSAX2

var arguments = Array(CommandLine.arguments.dropFirst())
var rounds = 10
let showDocuments = arguments.contains("--per-document")
arguments.removeAll { $0 == "--per-document" }
if let flag = arguments.firstIndex(of: "--rounds"), flag + 1 < arguments.count, let value = Int(arguments[flag + 1]) {
    rounds = value
    arguments.removeSubrange(flag...(flag + 1))
}
guard !arguments.isEmpty else {
    FileHandle.standardError.write(Data("usage: ParseBenchmark [--rounds N] FILE...\n".utf8))
    exit(64)
}

guard hd_malloc_tune_for_polling() == 1 else {  // as hubdiffer runs (AllocatorTuning)
    FileHandle.standardError.write(Data("glibc refused the malloc settings: the figures would not be hubdiffer's\n".utf8))
    exit(70)
}
raw_sax2_init()
let documents = arguments.compactMap { path in FileManager.default.contents(atPath: path).map { [UInt8]($0) } }
let totalBytes = documents.reduce(0) { $0 + $1.count }

let clock = ContinuousClock()
var oursTime = Duration.zero
var rawTime = Duration.zero
var extraByDocument = [Duration](repeating: .zero, count: documents.count)
var entries = 0
var elements = 0
for round in 0..<rounds {
    for (index, document) in documents.enumerated() {
        let ours = {
            let start = clock.now
            entries += (try? FeedParser.parse(document))?.entries.count ?? 0
            let spent = clock.now - start
            oursTime += spent
            extraByDocument[index] += spent
        }
        let raw = {
            let start = clock.now
            elements += document.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { raw_sax2_parse($0.baseAddress, Int32(buffer.count)) }
            }
            let spent = clock.now - start
            rawTime += spent
            extraByDocument[index] -= spent
        }
        if round % 2 == 0 { ours(); raw() } else { raw(); ours() }
    }
}

func megabytesPerSecond(_ bytes: Int, _ time: Duration) -> Double {
    let seconds = Double(time.components.seconds) + Double(time.components.attoseconds) / 1e18
    return Double(bytes) / 1e6 / seconds
}
let oursRate = megabytesPerSecond(totalBytes * rounds, oursTime)
let rawRate = megabytesPerSecond(totalBytes * rounds, rawTime)
print("documents: \(documents.count), \(totalBytes) bytes, \(rounds) rounds")
print(String(format: "FeedParser.parse:  %.1f MB/s (%d entries a round)", oursRate, entries / rounds))
print(String(format: "raw libxml2 SAX2:  %.1f MB/s (%d elements a round)", rawRate, elements / rounds))
print(String(format: "ratio: %.1f%% of the raw SAX2 pass", 100 * oursRate / rawRate))
if showDocuments {
    print("most time beyond the raw pass, per round:")
    for (index, extra) in extraByDocument.enumerated().sorted(by: { $0.element > $1.element }).prefix(10) {
        let milliseconds = Double(extra.components.attoseconds) / 1e15 / Double(rounds) + Double(extra.components.seconds) * 1000 / Double(rounds)
        print(String(format: "  %7.2f ms  %@ (%d bytes)", milliseconds, arguments[index], documents[index].count))
    }
}
