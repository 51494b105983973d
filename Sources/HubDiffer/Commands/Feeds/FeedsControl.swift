import ArgumentParser
import DaemonKit
import Foundation

/// One `feeds` subcommand's line to the daemon: the client for `--control`, the token, and
/// what an answer that is not a success means for the person who ran the command (a line on
/// standard error saying what to do next, and the exit status).
struct FeedsControl {
    let client: ControlClient
    /// `--control` as given, for messages.
    let address: String
    let token: BearerToken?
    /// Where the token came from, for messages: `--token-file FILE` or the variable.
    let tokenSource: String?

    /// The client and token of `options`. Throws the exit status after a line on standard
    /// error when the token file cannot be used.
    init(_ options: FeedsControlOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let (host, port) = try options.address()
        client = ControlClient(host: host, port: port)
        address = options.control
        if let file = options.tokenFile {
            token = try Self.readToken(file)
            tokenSource = "--token-file \(file)"
        } else if let value = environment[BearerToken.environmentVariable], let given = BearerToken(value) {
            token = given
            tokenSource = BearerToken.environmentVariable
        } else {
            token = nil
            tokenSource = nil
        }
    }

    /// Sends the request; returns a 2xx answer. Anything else is reported (``fail(_:feed:)``)
    /// and thrown as the exit status.
    func send(
        _ method: HTTPMethod, _ target: String, form: FormFields? = nil, feed: Int64? = nil
    ) throws -> ControlClientResponse {
        let answer: ControlClientResponse
        do {
            answer = try client.send(
                method, target, body: form.map { Array($0.encoded.utf8) } ?? [],
                contentType: form == nil ? nil : "application/x-www-form-urlencoded", token: token)
        } catch {
            throw fail(error)
        }
        guard (200...299).contains(answer.status) else { throw fail(answer, feed: feed) }
        return answer
    }

    /// The body of a 2xx answer as a JSON object; a line and status 70 when it is not one.
    func object(_ answer: ControlClientResponse) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any] else {
            StandardError.line(
                "the daemon at \(address) answered \(answer.status) without the JSON object this command reads "
                    + "(\(Self.firstLine(answer.text))): is it the same hubdiffer version as this command?")
            throw ExitCode(.software)
        }
        return object
    }

    // MARK: - Failures

    /// Reports an exchange that got no answer; returns the status to end with.
    func fail(_ error: ControlClientError) -> ExitCode {
        switch error {
        case .notRunning:
            StandardError.line("no daemon answers at \(address): is `hubdiffer run` running? (--control HOST:PORT)")
            return ExitCode(.unavailable)
        case .timeout:
            StandardError.line(
                "the daemon at \(address) did not answer within \(client.timeout.secondsText): it may be overloaded "
                    + "or stuck; try again, and see its log (--control HOST:PORT names another)")
            return ExitCode(.unavailable)
        case .unreachable(let reason):
            StandardError.line("cannot reach \(address) (\(reason)): check --control HOST:PORT")
            return ExitCode(.unavailable)
        case .invalidRequest(let reason):
            StandardError.line("cannot send the request to \(address): \(reason); correct the arguments or the token")
            return ExitCode(.usage)
        case .badResponse(let reason):
            StandardError.line(
                "what \(address) answered is not HTTP a hubdiffer daemon sends (\(reason)): "
                    + "is --control the address of `hubdiffer run`'s control endpoint?")
            return ExitCode(.software)
        }
    }

    /// Reports an answer that is not a success; returns the status to end with.
    func fail(_ answer: ControlClientResponse, feed: Int64?) -> ExitCode {
        let reason = Self.firstLine(answer.text)
        let subject = feed.map { "feed \($0)" } ?? "the request"
        switch answer.status {
        case 404 where reason.hasPrefix("no such path"):
            StandardError.line(
                "the daemon at \(address) has no /feeds API (\(reason)): it runs an older hubdiffer; upgrade it")
            return ExitCode(.unavailable)
        case 404:
            let id = feed.map(String.init) ?? "ID"
            StandardError.line(
                "\(subject): the daemon at \(address) does not know it (\(reason)); "
                    + "`hubdiffer feeds add \(id) URL` adds it")
            return ExitCode(.notFound)
        case 400:
            StandardError.line("the daemon at \(address) refused \(subject): \(reason); correct it and run the command again")
            return ExitCode(.dataError)
        case 401 where token == nil:
            StandardError.line(
                "the daemon at \(address) wants a control token: pass --token-file FILE (the token its "
                    + "control-token-file holds) or set \(BearerToken.environmentVariable)")
            return ExitCode(.noPermission)
        case 401:
            StandardError.line(
                "the daemon at \(address) refused the token from \(tokenSource ?? "--token-file"): "
                    + "use the token its control-token-file holds")
            return ExitCode(.noPermission)
        case 403:
            StandardError.line(
                "the daemon at \(address) refused \(subject): \(reason); a daemon reachable beyond loopback "
                    + "needs a control-token-file before it accepts changes")
            return ExitCode(.noPermission)
        case 421:
            StandardError.line(
                "the daemon at \(address) does not answer to that name (\(reason)): give its address in --control, "
                    + "or add the name to its control-host setting")
            return ExitCode(.software)
        case 503:
            StandardError.line("the daemon at \(address) could not do it now (\(reason)); try again in a moment")
            return ExitCode(.temporaryFailure)
        default:
            StandardError.line(
                "unexpected answer from the daemon at \(address): \(answer.status) \(reason); "
                    + "check that --control is the control endpoint of `hubdiffer run`, and see its log")
            return ExitCode(.software)
        }
    }

    /// The first line of `text`, without surrounding whitespace, at most 300 characters
    /// ("no reason given" for none).
    static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        if line.isEmpty { return "no reason given" }
        return line.count > 300 ? String(line.prefix(300)) + "…" : line
    }

    // MARK: - Token

    /// The token in `file`; a line and the exit status when the file cannot be read or holds
    /// nothing.
    static func readToken(_ file: String) throws -> BearerToken {
        do {
            return try BearerToken.read(from: file)
        } catch {
            StandardError.line("\(error): pass --token-file FILE, a file this user can read holding the daemon's control token")
            throw ExitCode(error.isUnreadable ? .noInput : .noPermission)
        }
    }
}

extension Duration {
    /// Whole seconds, as `10 s`.
    fileprivate var secondsText: String { "\(components.seconds) s" }
}
