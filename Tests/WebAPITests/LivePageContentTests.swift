import Testing
import WebAPI

/// The page as shipped: self-contained and never turning API data into markup. (Its behaviour is tested in a real
/// browser by `EndToEndTests/LivePageTests`.)
@Suite("The live page's content")
struct LivePageContentTests {
    static let page = String(decoding: EmbeddedResources.page, as: UTF8.self)

    @Test("one self-contained file: no external script, style, font, image or connection")
    func selfContained() {
        for needle in ["src=\"http", "src='http", "href=\"http", "href='http", "@import", "url(", "//cdn", "<link"] {
            #expect(!Self.page.contains(needle), "\(needle)")
        }
        #expect(Self.page.contains("<script>") && Self.page.contains("<style>"))
        #expect(EmbeddedResources.page.count < 64 * 1024)
    }

    @Test("strings from the API go in as text: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval")
    func noMarkupFromData() {
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
            #expect(!Self.page.contains(sink), "\(sink)")
        }
        #expect(Self.page.contains("textContent"))
    }

    @Test("the endpoints, the feed subscription and the data attributes the browser test reads are there")
    func wiring() {
        let needles = [
            "api/v1/streams", "/latest.jpg", "api/v1/feed", #"kinds: FEED_KINDS"#, #"["track", "event", "stream"]"#,
            "access_token=", "Authorization", "sessionStorage", "dataset.stream", "dataset.state", "dataset.count",
        ]
        for needle in needles { #expect(Self.page.contains(needle), "\(needle)") }
    }
}
