using Microsoft.Extensions.Time.Testing;

namespace TraceExporter.Tests;

/// <summary>
/// A fake clock whose timestamps count from its start, as a monotonic clock since boot does (bpftrace's
/// <c>nsecs</c>); FakeTimeProvider's own timestamps are ticks since year 1, too large for nanoseconds in 64 bits.
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    private readonly long _origin;

    public TestClock()
        : base(DateTimeOffset.UnixEpoch.AddDays(20000))
    {
        _origin = base.GetTimestamp();
    }

    public override long GetTimestamp() => base.GetTimestamp() - _origin + TimeSpan.TicksPerHour;
}
