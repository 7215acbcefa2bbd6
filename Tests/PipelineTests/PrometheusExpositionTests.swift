import Testing

/// The test parser itself: it must refuse what a broken exporter would write, or the exposition tests prove nothing.
@Suite struct PrometheusExpositionTests {
    @Test func readsEscapedLabelsAndSpecialValues() throws {
        let text = """
            # HELP a_total Help with \\\\ and \\n.
            # TYPE a_total counter
            a_total{stream="q\\"uo\\\\te\\nnl",x="{}, ="} 3
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{le="+Inf"} 2
            h_sum 1e+16
            h_count 2
            # TYPE g gauge
            g NaN 1700000000

            """
        let exposition = try PrometheusExposition(parsing: text)
        #expect(exposition.value("a_total", ["stream": "q\"uo\\te\nnl", "x": "{}, ="]) == 3)
        #expect(exposition.helps["a_total"] == "Help with \\ and \n.")
        #expect(exposition.value("h_sum") == 1e16)
        #expect(exposition.family(of: "h_bucket") == "h")
        #expect(exposition.value("g")?.isNaN == true)
        #expect(exposition.types == ["a_total": "counter", "h": "histogram", "g": "gauge"])
    }

    @Test(arguments: [
        "a{stream=\"raw \" quote\"} 1\n",  // unescaped quote
        "a{stream=\"raw\nnewline\"} 1\n",  // unescaped newline
        "a{stream=\"bad \\t escape\"} 1\n",
        "a{stream=\"ends in backslash\\\"} 1\n",
        "a{stream=\"x\",stream=\"y\"} 1\n",
        "a{stream=unquoted} 1\n",
        "a 1\na 2\n",
        "a one\n",
        "a 1",
        "9a 1\n",
        "a 1\n# TYPE a gauge\n",
        "# TYPE a gauge\n# TYPE a counter\n",
        "# TYPE a meter\n",
    ])
    func refusesBrokenText(text: String) {
        #expect(throws: PrometheusExposition.Invalid.self) { try PrometheusExposition(parsing: text) }
    }
}
