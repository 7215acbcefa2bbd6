import Sinks

/// The output that keeps the HTTP API current: every line of every stream comes through its own ``OutputQueue``
/// (so a slow API never stalls the files), and it updates ``DaemonAPIState``: `stream` records move the board,
/// `track` and `event` records go into the event ring; the rest is ignored.
struct APIRecordSink: Sink {
    let state: DaemonAPIState

    func write(_ line: JSONLine) async {
        state.take(line)
    }

    func write(contentsOf lines: [JSONLine]) async {
        state.take(contentsOf: lines)
    }

    func flush() async {}
    func close() async {}
}
