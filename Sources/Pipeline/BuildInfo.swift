/// What this build of ssdd is: the version `ssdd --version` prints and `ssdd_build_info` reports.
public enum BuildInfo {
    /// The ssdd release version.
    public static let version = "0.1.0"

    /// The Swift compiler that built ssdd, as major.minor (from `#if compiler(…)`, the only compile-time source).
    public static let swiftVersion: String = {
        #if compiler(>=7.0)
        return ">=7.0"
        #elseif compiler(>=6.5)
        return "6.5"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }()
}
