import Geometry

/// A constant-velocity Kalman filter over a box, as in SORT (Bewley et al., 2016,
/// https://github.com/abewley/sort): state `[cx, cy, s, r, vcx, vcy, vs]` where `s` is the area and `r` the
/// aspect ratio (width / height), which is assumed constant. Measurements are `[cx, cy, s, r]`.
///
/// Noise parameters are SORT's: they are tuned for pixel coordinates and frame steps.
struct KalmanBoxFilter: Sendable, Hashable {
    /// State mean (7×1).
    private(set) var state: Matrix
    /// State covariance (7×7).
    private(set) var covariance: Matrix

    private static let measurementNoise = Matrix(diagonal: [1, 1, 10, 10])
    private static let processNoise = Matrix(diagonal: [1, 1, 1, 1, 0.01, 0.01, 0.0001])
    private static let observation: Matrix = {
        var h = Matrix(rows: 4, columns: 7)
        for i in 0..<4 { h[i, i] = 1 }
        return h
    }()

    /// Starts a filter at `box` with zero velocity and a large velocity uncertainty.
    /// - Important: `box` must be trackable (`Box.isTrackable`).
    init(box: Box) {
        state = Matrix(rows: 7, columns: 1)
        let z = Self.measurement(of: box)
        for i in 0..<4 { state[i, 0] = z[i, 0] }
        covariance = Matrix(diagonal: [10, 10, 10, 10, 10_000, 10_000, 10_000])
    }

    /// The box of the current state estimate (may be empty if the predicted area went to 0).
    var box: Box {
        let s = max(0, state[2, 0])
        let r = max(0, state[3, 0])
        let w = (s * r).squareRoot()
        let h = w > 0 ? s / w : 0
        return Box(centerX: state[0, 0], centerY: state[1, 0], width: w, height: h)
    }

    /// Whether every element of the state is finite; a filter that diverged must be dropped.
    var isFinite: Bool { state.elements.allSatisfy(\.isFinite) }

    /// Advances the state by `steps` frame steps (≥ 1), adding process noise proportional to the steps.
    mutating func predict(steps: Int) {
        let dt = Double(max(1, steps))
        // Keep the area non-negative: stop shrinking once the next step would make it vanish.
        if state[2, 0] + dt * state[6, 0] <= 0 { state[6, 0] = 0 }
        var transition = Matrix.identity(7)
        transition[0, 4] = dt
        transition[1, 5] = dt
        transition[2, 6] = dt
        var noise = Self.processNoise
        for i in 0..<7 { noise[i, i] *= dt }
        state = transition * state
        covariance = transition * covariance * transition.transposed + noise
    }

    /// Corrects the state with the measured `box`.
    /// - Important: `box` must be trackable (`Box.isTrackable`).
    mutating func update(with box: Box) {
        let h = Self.observation
        let innovation = Self.measurement(of: box) - h * state
        let system = h * covariance * h.transposed + Self.measurementNoise
        // The innovation covariance is P's 4×4 block plus a positive diagonal, so it is positive definite and
        // invertible unless the state already diverged; skip the correction in that case.
        guard let systemInverse = system.inverse else { return }
        let gain = covariance * h.transposed * systemInverse
        state = state + gain * innovation
        covariance = (Matrix.identity(7) - gain * h) * covariance
    }

    private static func measurement(of box: Box) -> Matrix {
        var z = Matrix(rows: 4, columns: 1)
        z[0, 0] = box.centerX
        z[1, 0] = box.centerY
        z[2, 0] = box.width * box.height
        z[3, 0] = box.width / box.height
        return z
    }
}
