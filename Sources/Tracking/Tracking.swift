// Tracking: a pure, deterministic SORT-class multi-object tracker.
//
// Overview
// - `Tracker` keeps the tracks of one stream. Each `update(frameIndex:time:detections:)` predicts every
//   track with a constant-velocity Kalman filter (`KalmanBoxFilter`), associates detections to tracks of the
//   same label by maximising total IoU with the Hungarian algorithm (`HungarianAlgorithm`), gates pairs below
//   `TrackerConfiguration.iouThreshold`, and reports which tracks were confirmed or ended on that frame.
// - Track ids are small integers per tracker, starting at 1 and never reused. An id is given only when a
//   track is confirmed (after `minHits` consecutive matched frames), so tentative tracks that die young do
//   not consume ids.
// - Nothing here reads a clock, a random generator or global state: the same inputs always give the same
//   outputs, which is what the tests rely on.
//
// Files: Box+Tracking (boxes are Geometry.Box), TrackDetection, TrackerConfiguration, TrackingError, HungarianAlgorithm, Matrix,
// KalmanBoxFilter, Track, TrackSummary, TrackerUpdate, Tracker, Tracker+Association.
