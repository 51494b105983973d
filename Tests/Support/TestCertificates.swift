import Foundation
import Glibc

/// A certificate and its private key, PEM files in a `TestCertificates` directory.
public struct CertificatePair: Sendable, Hashable {
    /// The certificate (PEM), the leaf alone.
    public let certificateFile: String
    /// Its private key (PEM, PKCS#8, EC P-256, unencrypted).
    public let keyFile: String
    /// The names in its subjectAltName: DNS names and IP addresses.
    public let names: [String]
}

/// A private PKI for a test, made with the `openssl` CLI at test time in a temp directory
/// (nothing that can expire is committed): a test CA, an unrelated "unknown" CA, server
/// certificates for the usual cases (good, expired, wrong host name, unknown issuer) and a CA
/// bundle (the system's plus the test CA). All keys are EC P-256. The directory is removed when
/// the value is released.
public final class TestCertificates: @unchecked Sendable {
    // @unchecked Sendable: everything but `issued` is immutable; `issued` (and the CA databases
    // `openssl ca` writes) are only touched while holding `lock`.

    /// The names a server certificate has unless told otherwise. (OpenSSL matches a wildcard
    /// only with two labels after it, so `*.feeds.test`, not `*.test`.)
    public static let defaultNames = ["localhost", "127.0.0.1", "::1", "feeds.test", "*.feeds.test"]
    /// The system CA bundle `bundleFile` starts with.
    public static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// Which CA signs a certificate made by `issue(names:notBefore:notAfter:by:)`.
    public enum Issuer: Sendable {
        /// The test CA (`caFile`): trusted by a client given `caFile` or `bundleFile`.
        case testCA
        /// The unrelated CA (`unknownCAFile`): in no bundle.
        case unknownCA
    }

    /// The temp directory holding every file.
    public let directory: String
    /// The test CA's certificate (PEM): what a client passes as its CA file.
    public let caFile: String
    /// An unrelated CA's certificate (PEM), trusted by nothing; it signed `unknownIssuer`.
    public let unknownCAFile: String
    /// The system bundle with the test CA appended (~140 certificates): a realistic CA file.
    public let bundleFile: String
    /// A good server certificate from the test CA for `names` (valid from an hour ago for a day).
    public let server: CertificatePair
    /// From the test CA for `names`, but valid only from 30 days ago to 1 day ago.
    public let expired: CertificatePair
    /// From the test CA, valid, but only for `other.invalid`.
    public let wrongHost: CertificatePair
    /// For `names`, valid, but signed by the unknown CA.
    public let unknownIssuer: CertificatePair

    private let lock = NSLock()
    private var issued = 0

    static var openssl: String { ChildProcess.executable(["/usr/bin/openssl", "/usr/local/bin/openssl"]) }

    /// Makes the two CAs, the four server certificates (good, expired and unknown-issuer ones
    /// for `names`) and the bundle. Throws `TestCertificatesError` with openssl's stderr when a
    /// step fails.
    public init(names: [String] = TestCertificates.defaultNames) throws {
        precondition(!names.isEmpty, "a server certificate needs at least one name")
        var template = Array("\(NSTemporaryDirectory().trimmingTrailingSlashes())/tls-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestCertificatesError.noDirectory(errno: errno) }
        let directory = String(cString: made)
        let now = Date()
        let hour: TimeInterval = 3600, day: TimeInterval = 86400
        do {
            // The CAs: valid since before the expired certificate was issued, as a real CA would be.
            let caFile = try Self.makeCA(
                "ca", commonName: "HubDiffer Test CA", notBefore: now - 90 * day, notAfter: now + 30 * day, in: directory)
            unknownCAFile = try Self.makeCA(
                "unknown-ca", commonName: "Unknown Test CA", notBefore: now - 90 * day, notAfter: now + 30 * day,
                in: directory)
            server = try Self.issue(
                "server", names: names, notBefore: now - hour, notAfter: now + day, ca: "ca", in: directory)
            expired = try Self.issue(
                "expired", names: names, notBefore: now - 30 * day, notAfter: now - day, ca: "ca", in: directory)
            wrongHost = try Self.issue(
                "wrong-host", names: ["other.invalid"], notBefore: now - hour, notAfter: now + day, ca: "ca",
                in: directory)
            unknownIssuer = try Self.issue(
                "unknown-issuer", names: names, notBefore: now - hour, notAfter: now + day, ca: "unknown-ca",
                in: directory)
            let bundleFile = "\(directory)/bundle.pem"
            guard var bundle = FileManager.default.contents(atPath: Self.systemBundle) else {
                throw TestCertificatesError.unreadable(Self.systemBundle)
            }
            guard let ca = FileManager.default.contents(atPath: caFile) else {
                throw TestCertificatesError.unreadable(caFile)
            }
            if let last = bundle.last, last != UInt8(ascii: "\n") { bundle.append(UInt8(ascii: "\n")) }
            bundle.append(ca)
            guard FileManager.default.createFile(atPath: bundleFile, contents: bundle) else {
                throw TestCertificatesError.unwritable(bundleFile)
            }
            self.caFile = caFile
            self.bundleFile = bundleFile
            self.directory = directory
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A further server certificate and key for `names` (DNS names or IP addresses; the first is
    /// also the subject's CN), valid from `notBefore` to `notAfter` (either may be in the past),
    /// signed by `issuer`.
    public func issue(
        names: [String], notBefore: Date = Date() - 3600, notAfter: Date = Date() + 86400, by issuer: Issuer = .testCA
    ) throws -> CertificatePair {
        precondition(!names.isEmpty, "a server certificate needs at least one name")
        lock.lock()
        defer { lock.unlock() }
        issued += 1
        return try Self.issue(
            "issued-\(issued)", names: names, notBefore: notBefore, notAfter: notAfter,
            ca: issuer == .testCA ? "ca" : "unknown-ca", in: directory)
    }

    /// The number of certificates in the PEM file at `path`.
    public static func certificateCount(in path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return String(decoding: data, as: UTF8.self).components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
    }

    // MARK: Making

    /// Makes the CA `name` (a subdirectory with its key, certificate, `openssl ca` config and
    /// database), self-signed with `openssl ca -selfsign` so its dates can be set. Returns the
    /// certificate's path.
    private static func makeCA(
        _ name: String, commonName: String, notBefore: Date, notAfter: Date, in directory: String
    ) throws -> String {
        let home = "\(directory)/\(name)"
        try FileManager.default.createDirectory(atPath: "\(home)/issued", withIntermediateDirectories: true)
        try write("", to: "\(home)/index.txt")
        // `openssl ca` needs a database (index.txt) and a directory for copies of what it signs;
        // serials are random. `unique_subject = no`: several certificates share a CN.
        try write(
            """
            [ ca ]
            default_ca = test_ca

            [ test_ca ]
            database = \(home)/index.txt
            new_certs_dir = \(home)/issued
            rand_serial = yes
            default_md = sha256
            policy = any_name
            unique_subject = no
            email_in_dn = no
            copy_extensions = none

            [ any_name ]
            commonName = supplied

            [ req ]
            distinguished_name = subject
            prompt = no

            [ subject ]
            CN = unused

            [ ca_extensions ]
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash

            """, to: "\(home)/ca.cnf")
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc",
            "-keyout", "\(home)/ca.key", "-subj", "/CN=\(commonName)", "-config", "\(home)/ca.cnf",
            "-out", "\(home)/ca.csr",
        ])
        try openssl([
            "ca", "-batch", "-notext", "-selfsign", "-config", "\(home)/ca.cnf", "-keyfile", "\(home)/ca.key",
            "-in", "\(home)/ca.csr", "-startdate", stamp(notBefore), "-enddate", stamp(notAfter),
            "-extfile", "\(home)/ca.cnf", "-extensions", "ca_extensions", "-out", "\(home)/ca.pem",
        ])
        return "\(home)/ca.pem"
    }

    /// Makes `directory/name.pem` and `name.key`: a server certificate for `names` signed by the
    /// CA in `directory/ca`, with `openssl ca` (`openssl x509 -req` in 3.0 cannot set a start date).
    private static func issue(
        _ name: String, names: [String], notBefore: Date, notAfter: Date, ca: String, in directory: String
    ) throws -> CertificatePair {
        let home = "\(directory)/\(ca)"
        let base = "\(directory)/\(name)"
        let alternatives = names.map { (isIPAddress($0) ? "IP:" : "DNS:") + $0 }.joined(separator: ", ")
        try write(
            """
            [ server ]
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth
            subjectKeyIdentifier = hash
            authorityKeyIdentifier = keyid
            subjectAltName = \(alternatives)

            """, to: "\(base).ext")
        try openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-noenc",
            "-keyout", "\(base).key", "-subj", "/CN=\(names[0].prefix(64))", "-config", "\(home)/ca.cnf",
            "-out", "\(base).csr",
        ])
        try openssl([
            "ca", "-batch", "-notext", "-config", "\(home)/ca.cnf", "-cert", "\(home)/ca.pem",
            "-keyfile", "\(home)/ca.key", "-in", "\(base).csr", "-startdate", stamp(notBefore),
            "-enddate", stamp(notAfter), "-extfile", "\(base).ext", "-extensions", "server", "-out", "\(base).pem",
        ])
        return CertificatePair(certificateFile: "\(base).pem", keyFile: "\(base).key", names: names)
    }

    /// Runs openssl with `arguments`; throws with its stderr unless it exits with status 0.
    private static func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.runCapturingErrors(openssl, arguments)
        guard result.status == 0 else {
            throw TestCertificatesError.opensslFailed(
                arguments: arguments, status: result.status,
                stderr: String(decoding: result.errors, as: UTF8.self))
        }
    }

    private static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw TestCertificatesError.unwritable(path)
        }
    }

    /// `date` as `openssl ca` takes it: GeneralizedTime, YYYYMMDDHHMMSSZ, UTC.
    static func stamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d%02d%02d%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    static func isIPAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}

/// Why `TestCertificates` could not be made.
public enum TestCertificatesError: Error, CustomStringConvertible {
    /// openssl exited with `status`; `stderr` is what it said.
    case opensslFailed(arguments: [String], status: Int32, stderr: String)
    /// The temp directory could not be made.
    case noDirectory(errno: Int32)
    /// A file that should exist could not be read (e.g. the system CA bundle).
    case unreadable(String)
    /// A file could not be written.
    case unwritable(String)

    public var description: String {
        switch self {
        case .opensslFailed(let arguments, let status, let stderr):
            "openssl \(arguments.joined(separator: " ")) failed with status \(status):\n\(stderr)"
        case .noDirectory(let code): "cannot make the certificates' temp directory: \(String(cString: strerror(code)))"
        case .unreadable(let path): "cannot read \(path)"
        case .unwritable(let path): "cannot write \(path)"
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSlashes() -> String {
        var text = self
        while text.count > 1, text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
