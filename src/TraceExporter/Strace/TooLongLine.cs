namespace TraceExporter.Strace;

/// <summary>A line of strace output longer than <see cref="StraceRunner.MaxLineBytes"/>: skipped unread, counted.</summary>
public sealed record TooLongLine() : StraceEvent(0);
