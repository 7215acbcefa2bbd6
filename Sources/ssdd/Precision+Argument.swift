import ArgumentParser
import Foundation
import TensorEngine

/// `--precision fp32|bf16|int8` on the commands that run a model.
extension Precision: ExpressibleByArgument {}

extension Precision {
    /// The precision this CPU runs for `self`, after writing the fallback warning (one line on stderr) if there is one.
    func resolvedWarningOnce() -> Precision {
        let resolution = resolved()
        if let warning = resolution.warning { Console.write("ssdd: warning: \(warning)\n", to: STDERR_FILENO) }
        return resolution.effective
    }
}
