namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>Waiting on conditions with deadlines, instead of sleeping for a guessed time.</summary>
internal static class Poll
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Observes <paramref name="observe"/> until <paramref name="done"/> holds or the deadline passes, and returns
    /// the last observation either way, so the caller asserts on it and prints it.
    /// </summary>
    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> observe, Func<T, bool> done, TimeSpan deadline, TimeSpan? interval = null)
    {
        var end = DateTime.UtcNow + deadline;
        while (true)
        {
            var observed = await observe();
            if (done(observed) || DateTime.UtcNow >= end)
            {
                return observed;
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, TimeSpan? interval = null) =>
        await UntilAsync(condition, ok => ok, deadline, interval);

    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan deadline, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), deadline, interval);

    /// <summary>Observes repeatedly for <paramref name="duration"/> and returns every observation.</summary>
    public static async Task<IReadOnlyList<T>> ThroughoutAsync<T>(
        Func<Task<T>> observe, TimeSpan duration, TimeSpan? interval = null)
    {
        var end = DateTime.UtcNow + duration;
        var observations = new List<T>();
        do
        {
            observations.Add(await observe());
            await Task.Delay(interval ?? DefaultInterval);
        }
        while (DateTime.UtcNow < end);

        observations.Add(await observe());
        return observations;
    }
}
