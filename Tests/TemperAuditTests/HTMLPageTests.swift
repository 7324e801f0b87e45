import Testing
@testable import TemperAudit

@Suite struct HTMLPageTests {
    @Test func pagesEscapeText() {
        #expect(HTMLPage.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
        #expect(HTMLPage.page(title: "t", body: "").contains("<!doctype html>"))
    }
}
