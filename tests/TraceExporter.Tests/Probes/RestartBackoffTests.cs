using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class RestartBackoffTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(60, 30)]
    public void Delays_double_from_one_second_up_to_the_cap(int failures, double seconds)
    {
        Assert.Equal(seconds, RestartBackoff.Default.Delay(failures, 0.5).TotalSeconds, 3);
    }

    [Fact]
    public void Jitter_stays_within_twenty_percent_and_under_the_cap()
    {
        Assert.Equal(1.6, RestartBackoff.Default.Delay(2, 0).TotalSeconds, 3);
        Assert.Equal(2.4, RestartBackoff.Default.Delay(2, 0.999999).TotalSeconds, 3);
        Assert.True(RestartBackoff.Default.Delay(40, 0.999999) <= RestartBackoff.Default.Cap);
    }
}
