// Shims for FFmpeg macros Swift cannot import (function-like and FFERRTAG macros, compound literals).
// Every symbol carries the CFFmpeg_ prefix so it never collides with FFmpeg's own names.
#pragma once
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavdevice/avdevice.h>
#include <errno.h>
#include <stdio.h>

/// AVERROR(e): FFmpeg's negated errno.
static inline int CFFmpeg_averror(int e) { return AVERROR(e); }
/// AVERROR_EOF (an FFERRTAG, not importable).
static inline int CFFmpeg_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR_EXIT, returned when the interrupt callback aborts a blocking call.
static inline int CFFmpeg_averror_exit(void) { return AVERROR_EXIT; }
/// AVERROR_INVALIDDATA.
static inline int CFFmpeg_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AVERROR_DECODER_NOT_FOUND.
static inline int CFFmpeg_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
/// AVERROR_STREAM_NOT_FOUND.
static inline int CFFmpeg_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
/// AV_NOPTS_VALUE.
static inline int64_t CFFmpeg_nopts_value(void) { return AV_NOPTS_VALUE; }
/// Line-buffers stdout so JSON lines reach pipes and journald promptly (stdout is not importable in Swift 6).
static inline void CFFmpeg_stdout_line_buffered(void) { setvbuf(stdout, NULL, _IOLBF, 0); }
