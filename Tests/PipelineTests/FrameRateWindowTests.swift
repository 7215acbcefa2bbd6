import Testing

@testable import Pipeline

@Suite("Input and output rates over the last 10 s: exact for a steady stream, falling to 0 when it stops")
struct FrameRateWindowTests {
    @Test("a steady stream reads its rate exactly", arguments: [1.0, 5, 10, 25, 29.97, 60, 250])
    func steady(fps: Double) {
        var window = FrameRateWindow()
        let start = 1000.0
        var t = start
        for i in 0..<Int(fps * 30) {
            t = start + Double(i) / fps
            window.record(at: t)
        }
        // Any moment before the next frame is due.
        for fraction in [0.0, 0.5, 0.99] {
            let rate = window.rate(at: t + fraction / fps)
            #expect(abs(rate - fps) < fps * 1e-9, "\(fps) fps read \(rate) at +\(fraction) interval")
        }
    }

    @Test("a stream that stops: the rate falls, then reads 0 once the window is empty")
    func stopping() {
        var window = FrameRateWindow()
        for i in 0..<100 { window.record(at: Double(i) / 10) }  // 10 fps for 10 s, last frame at 9.9
        #expect(abs(window.rate(at: 9.95) - 10) < 1e-9)
        let later = window.rate(at: 12)
        #expect(later < 10 && later > 0)
        #expect(window.rate(at: 15) < later)
        #expect(window.rate(at: 19.95) <= 0.1 + 1e-9)
        #expect(window.rate(at: 20) == 0)
        #expect(FrameRateWindow().rate(at: 5) == 0)
    }

    @Test("a stream that started 2 s ago reads its rate, not a tenth of it")
    func young() {
        var window = FrameRateWindow()
        for i in 0..<50 { window.record(at: 100 + Double(i) / 25) }
        #expect(abs(window.rate(at: 100 + 49.0 / 25) - 25) < 1e-9)
    }

    @Test("beyond the capacity the window is the last frames, still exact")
    func fast() {
        var window = FrameRateWindow()
        for i in 0..<5000 { window.record(at: Double(i) / 400) }
        #expect(abs(window.rate(at: 4999.0 / 400) - 400) < 1e-6)
    }
}
