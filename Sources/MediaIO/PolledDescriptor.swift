import CFFmpeg
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A FIFO, pipe or character device read through our own non-blocking descriptor and handed to FFmpeg as a custom
/// `AVIOContext`.
///
/// FFmpeg's file protocol opens and reads with blocking calls its interrupt callback cannot break: a FIFO without a
/// writer blocks in `open(2)`, a silent pipe in `read(2)`. Here `open` uses `O_NONBLOCK` (it never waits for a writer)
/// and every read waits in `poll(2)` in short slices, checking the reader's ``InterruptGuard`` between them, so a
/// read ends at the deadline or on cancel.
///
/// - Important: the format context using ``context`` must be closed before this object is released.
final class PolledDescriptor {
    /// The longest a single `poll(2)` waits before the deadline and cancel flag are checked again.
    static let pollSliceMilliseconds: Int32 = 50
    /// Size of FFmpeg's read buffer.
    private static let bufferSize = 64 * 1024

    private let descriptor: Int32
    private let interrupt: InterruptGuard
    /// Bytes read so far.
    private(set) var bytesRead = 0
    /// Whether the stream ended (every writer gone, or end of device) before a single byte arrived.
    private(set) var endedBeforeAnyData = false
    /// The I/O context to put in `AVFormatContext.pb` (with `AVFMT_FLAG_CUSTOM_IO`).
    private(set) var context: UnsafeMutablePointer<AVIOContext>?

    init(path: String, input: String, interrupt: InterruptGuard) throws(MediaError) {
        self.interrupt = interrupt
        descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw InputSource.openError(errno, input: input) }
        guard let buffer = av_malloc(Self.bufferSize)?.assumingMemoryBound(to: UInt8.self) else {
            close(descriptor)
            throw MediaError(.input, input: input, message: "out of memory")
        }
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        context = avio_alloc_context(
            buffer, Int32(Self.bufferSize), 0, opaque,
            { opaque, buffer, size in
                guard let opaque, let buffer else { return FFmpegResult.endOfFile }
                return Unmanaged<PolledDescriptor>.fromOpaque(opaque).takeUnretainedValue().read(into: buffer, size: Int(size))
            }, nil, nil)
        guard context != nil else {
            av_free(buffer)
            close(descriptor)
            throw MediaError(.input, input: input, message: "out of memory")
        }
    }

    deinit {
        if let context {
            av_freep(&context.pointee.buffer)  // FFmpeg may have replaced the buffer: free the one it holds now.
        }
        avio_context_free(&context)
        close(descriptor)
    }

    /// FFmpeg's `read_packet`: up to `size` bytes, AVERROR_EOF at the end, AVERROR_EXIT at the deadline or on cancel.
    private func read(into buffer: UnsafeMutablePointer<UInt8>, size: Int) -> Int32 {
        guard size > 0 else { return 0 }
        while true {
            if interrupt.shouldAbort() { return FFmpegResult.exit }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, Self.pollSliceMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return CFFmpeg_averror(errno)
            }
            if ready == 0 { continue }
            // POLLIN: data; POLLHUP: every writer has gone (read returns 0). A FIFO that never had a writer since we
            // opened it reports neither, so the wait goes on until the deadline.
            let count = Glibc.read(descriptor, buffer, size)
            if count > 0 {
                bytesRead += count
                return Int32(count)
            }
            if count == 0 {
                endedBeforeAnyData = bytesRead == 0
                return FFmpegResult.endOfFile
            }
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
            return CFFmpeg_averror(errno)
        }
    }
}
