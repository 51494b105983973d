import Testing

@testable import FeedParsing

/// Expected values were checked against feedparser 6.0.14's `_urljoin` on CPython 3.11.7.
@Suite("URLResolver")
struct URLResolverTests {
    static let rfcBase = "http://a/b/c/d;p?q"

    /// RFC 3986 §5.4.1 normal examples.
    static let normal: [(String, String)] = [
        ("g:h", "g:h"),
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q#s"),
        ("g#s", "http://a/b/c/g#s"),
        ("g?y#s", "http://a/b/c/g?y#s"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y#s"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
    ]

    /// RFC 3986 §5.4.2 abnormal examples, less `http:g` (see ``nonStrictSameScheme()``).
    static let abnormal: [(String, String)] = [
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g#s/./x"),
        ("g#s/../x", "http://a/b/c/g#s/../x"),
    ]

    @Test("RFC 3986 §5.4.1 normal examples", arguments: normal)
    func rfcNormal(reference: String, expected: String) {
        #expect(URLResolver.resolve(reference, against: Self.rfcBase) == expected)
    }

    @Test("RFC 3986 §5.4.2 abnormal examples", arguments: abnormal)
    func rfcAbnormal(reference: String, expected: String) {
        #expect(URLResolver.resolve(reference, against: Self.rfcBase) == expected)
    }

    /// The RFC's strict parser gives `http:g`; urljoin (and so feedparser) takes the non-strict,
    /// backward-compatible reading §5.4.2 allows.
    @Test func nonStrictSameScheme() {
        #expect(URLResolver.resolve("http:g", against: Self.rfcBase) == "http://a/b/c/g")
        #expect(URLResolver.resolve("http:g", against: "https://a/b") == "http:g")
        #expect(URLResolver.resolve("http:g", against: nil) == "http:g")
    }

    /// Entry links keep every scheme: feedparser filters schemes for bases and embedded HTML only.
    @Test(arguments: [
        "javascript:alert(1)", "mailto:someone@example.com", "data:text/html,<b>x</b>",
        "tel:+1;ext=2", "localhost:8080/x", "foo:bar",
    ])
    func otherSchemesComeBackUnchanged(reference: String) {
        #expect(URLResolver.resolve(reference, against: Self.rfcBase) == reference)
    }

    /// Cases where urljoin departs from (or goes beyond) RFC 3986, and feedparser's own fix-up.
    static let feedparserCases: [(String, String, String)] = [
        (rfcBase, "//host/path", "http://host/path"),
        (rfcBase, "?q2", "http://a/b/c/d;p?q2"),
        (rfcBase, "#frag", "http://a/b/c/d;p?q#frag"),
        // `_urifixer`: extra slashes after `scheme://` go.
        (rfcBase, "http:///x", "http://x"),
        (rfcBase, "https:////x/y", "https://x/y"),
        (rfcBase, "a,b:///x", "http://a/b/c/a,b:/x"),
        // Same scheme as the base: rebuilt, so the scheme is lowercased and empty parts dropped.
        (rfcBase, "HTTP://A/B", "http://A/B"),
        (rfcBase, "g?", "http://a/b/c/g"),
        (rfcBase, "g#", "http://a/b/c/g"),
        (rfcBase, "g?#", "http://a/b/c/g"),
        (rfcBase, "g;", "http://a/b/c/g"),
        (rfcBase, "http://x.com/a?#", "http://x.com/a"),
        // A different scheme: handed back as written.
        (rfcBase, "https://other.example/x;", "https://other.example/x;"),
        ("https://e.com/feed", "http://e.com/a", "http://e.com/a"),
        // Empty inner segments of a merged path collapse; an absolute path keeps them.
        (rfcBase, "g//h", "http://a/b/c/g/h"),
        (rfcBase, "/g//h", "http://a/g//h"),
        ("http://a/b//c/", "d", "http://a/b/c/d"),
        // Tab, CR and LF inside are removed.
        (rfcBase, "g\tx", "http://a/b/c/gx"),
        (rfcBase, "g\nx", "http://a/b/c/gx"),
        // Bracketed hosts: urlsplit's ValueError becomes the empty string.
        (rfcBase, "http://[::1", ""),
        (rfcBase, "http://a]b/", ""),
        (rfcBase, "http://[1.2.3.4]/", ""),
        (rfcBase, "http://[::1]:8080/p", "http://[::1]:8080/p"),
        (rfcBase, "http://[v1.fe]/", "http://[v1.fe]/"),
        (rfcBase, "http://[fe80::1%25eth0]/", "http://[fe80::1%25eth0]/"),
        (rfcBase, "http://[::ffff:1.2.3.4]/", "http://[::ffff:1.2.3.4]/"),
        ("http://[::1/x", "g", ""),
        ("http://[::1/x", "https://ok.example/", ""),
        // A host whose NFKC form holds a delimiter (U+2100 is `a/c`).
        (rfcBase, "http://ex\u{2100}mple.com/", ""),
        (rfcBase, "http://bücher.example/", "http://bücher.example/"),
        // Relative, empty-ish and non-hierarchical bases.
        ("relative/base/", "../x", "relative/x"),
        ("relative/base/", "?y", "relative/base/?y"),
        ("relative/base/", "//host/p", "//host/p"),
        ("//host/p", "g", "//host/g"),
        ("/abs/path", "g", "/abs/g"),
        ("javascript:x", "g", "g"),
        ("javascript:x", "//host/p", "//host/p"),
        ("mailto:x@y", "g", "g"),
        ("foo:bar/baz", "qux", "qux"),
        ("http:foo", "g", "http:///g"),
        // Other schemes urljoin resolves against.
        ("ftp://h/p;type=a", "g", "ftp://h/g"),
        ("file:///etc/x", "y", "file:///etc/y"),
        ("svn+ssh://h/r/", "../s", "svn+ssh://h/s"),
        ("http://a", "g", "http://a/g"),
        ("http://a", "../..", "http://a/"),
    ]

    @Test("feedparser / urljoin behaviour", arguments: feedparserCases)
    func feedparserBehaviour(base: String, reference: String, expected: String) {
        #expect(URLResolver.resolve(reference, against: base) == expected)
    }

    @Test func noBaseReturnsTheTrimmedReference() {
        #expect(URLResolver.resolve("  g/h \n", against: nil) == "g/h")
        #expect(URLResolver.resolve("../x", against: "") == "../x")
        #expect(URLResolver.resolve("HTTP://A/B", against: nil) == "HTTP://A/B")
        #expect(URLResolver.resolve("http:///x", against: nil) == "http://x")
        #expect(URLResolver.resolve("", against: nil) == "")
    }

    @Test func referenceIsTrimmed() {
        #expect(URLResolver.resolve("\n\t https://x.example/a \u{00A0}", against: Self.rfcBase) == "https://x.example/a")
        #expect(URLResolver.resolve("  g  ", against: Self.rfcBase) == "http://a/b/c/g")
        #expect(URLResolver.resolve("\u{3000}g\u{2028}", against: Self.rfcBase) == "http://a/b/c/g")
    }

    /// An empty or blank reference is the base itself (RFC 3986 and urljoin). feedparser keeps an
    /// empty RSS `<link>` text empty because it never resolves empty element text.
    @Test func emptyReferenceIsTheBase() {
        #expect(URLResolver.resolve("", against: Self.rfcBase) == Self.rfcBase)
        #expect(URLResolver.resolve(" \n ", against: Self.rfcBase) == Self.rfcBase)
    }

    @Test func absoluteHTTPReferencesComeBackUnchanged() {
        for reference in [
            "https://example.com/posts/1?utm=2#top", "http://example.com", "https://e.com/a;b?c",
            "http://user:pw@e.com:8080/p/../q", "https://e.com/?a[]=1",
        ] {
            #expect(URLResolver.resolve(reference, against: "https://example.com/feed.xml") == reference)
            #expect(URLResolver.resolve(reference, against: "http://other.example/") == reference)
        }
    }

    @Test func schemeOf() {
        #expect(URLResolver.scheme(of: "HTTPS://x") == "https")
        #expect(URLResolver.scheme(of: "svn+ssh://h") == "svn+ssh")
        #expect(URLResolver.scheme(of: "//h/p") == nil)
        #expect(URLResolver.scheme(of: "1a:b") == nil)
        #expect(URLResolver.scheme(of: "/a:b") == nil)
        #expect(URLResolver.scheme(of: "") == nil)
    }
}
