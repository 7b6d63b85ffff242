namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>Waits on a condition with a deadline, never a fixed sleep.</summary>
internal static class Poll
{
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan deadline, TimeSpan? every = null)
    {
        var end = DateTime.UtcNow + deadline;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow >= end)
            {
                return false;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
