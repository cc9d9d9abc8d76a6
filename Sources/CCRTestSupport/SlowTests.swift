import Foundation

/// Tests that saturate the machine (hundreds of concurrent streams) run only in the second, serial
/// phase of scripts/test.sh, which sets `CCR_SLOW_TESTS=1`, so they cannot skew the timing
/// assertions of tests running beside them.
public enum SlowTests {
    public static let enabled = ProcessInfo.processInfo.environment["CCR_SLOW_TESTS"] == "1"
    public static let reason = "set CCR_SLOW_TESTS=1 (scripts/test.sh does, in its serial phase)"
}
