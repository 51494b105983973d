import DaemonKit
import Foundation
import Scheduler

/// The body of `PUT /feeds/{id}`: `url=…&interval=SECONDS` form-encoded, or JSON
/// `{"url": "…", "interval": SECONDS}`; the interval is optional (adaptive without one). The
/// rules are the feeds file's (`FeedList`).
enum FeedPutRequest {
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    static func feed(from request: ControlRequest) -> Result<ScheduledFeed, Problem> {
        guard let id = ControlEndpoints.feedID(request) else {
            return .failure(Problem(description: "the feed ID must be a number from 0 to \(Int64.max), as in /feeds/42"))
        }
        let url: String?
        let interval: String?
        let contentType = request.headers["Content-Type"]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if contentType == "application/json" {
            guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
                return .failure(Problem(description: "the body is not a JSON object: send {\"url\": \"https://…\", \"interval\": 600}"))
            }
            url = object["url"] as? String
            switch object["interval"] {
            case nil, is NSNull: interval = nil
            case let number as NSNumber where !(number is Bool) && number.doubleValue == number.doubleValue.rounded():
                interval = String(number.int64Value)
            default: return .failure(Problem(description: "interval: \(FeedList.intervalRule)"))
            }
        } else {
            let form: FormFields
            do { form = try request.body.isEmpty ? request.query : request.formFields() } catch {
                return .failure(Problem(description: "cannot read the form (\(error)): send url=https://…&interval=600"))
            }
            url = form["url"]
            interval = form["interval"].flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let url else { return .failure(Problem(description: "send the feed's URL: url=https://… (or JSON {\"url\": …})")) }
        if let refusal = FeedList.refusal(url: url) { return .failure(Problem(description: "url: \(refusal)")) }
        var pinned: Duration?
        if let interval {
            guard let seconds = Int(interval), FeedList.intervalRange.contains(seconds) else {
                return .failure(Problem(description: "interval: \(FeedList.intervalRule)"))
            }
            pinned = .seconds(seconds)
        }
        return .success(ScheduledFeed(id: id, url: url, interval: pinned))
    }
}
