using System.Text.RegularExpressions;

namespace TraceExporter.Strace;

/// <summary>
/// One <c>guard --abort-on</c> rule: <c>SYSCALL</c> (any failure) or <c>SYSCALL:ERRNO[,ERRNO…]</c>,
/// e.g. <c>openat:ENOENT</c>, <c>connect:ECONNREFUSED,ETIMEDOUT</c>.
/// </summary>
public sealed partial record AbortRule(string Syscall, IReadOnlyList<string> Errnos)
{
    public static bool TryParse(string text, out AbortRule? rule, out string? error)
    {
        rule = null;
        var parts = text.Split(':', 2);
        if (!SyscallName().IsMatch(parts[0]))
        {
            error = $"--abort-on '{text}': '{parts[0]}' is not a system call name (e.g. openat:ENOENT)";
            return false;
        }

        var errnos = parts.Length == 2 ? parts[1].Split(',') : [];
        var bad = errnos.FirstOrDefault(e => !ErrnoName().IsMatch(e));
        if (bad is not null || (parts.Length == 2 && errnos.Length == 0))
        {
            error = $"--abort-on '{text}': '{bad}' is not an errno name (ENOENT, EACCES, …)";
            return false;
        }

        rule = new AbortRule(parts[0], errnos);
        error = null;
        return true;
    }

    public bool Matches(SyscallEvent call) =>
        call.Outcome == SyscallOutcome.Error
        && string.Equals(call.Syscall, Syscall, StringComparison.Ordinal)
        && (Errnos.Count == 0 || Errnos.Contains(call.Errno, StringComparer.Ordinal));

    public override string ToString() => Errnos.Count == 0 ? Syscall : $"{Syscall}:{string.Join(',', Errnos)}";

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex SyscallName();

    [GeneratedRegex("^E[A-Z0-9]+$")]
    private static partial Regex ErrnoName();
}
