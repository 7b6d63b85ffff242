using System.IO.Enumeration;
using System.Text.RegularExpressions;

namespace TraceExporter.Strace;

/// <summary>
/// One <c>guard --abort-on</c> rule: <c>SYSCALL</c> (any failure), <c>SYSCALL:ERRNO[,ERRNO…]</c>, or either with a
/// path pattern, <c>SYSCALL:[ERRNO[,ERRNO…]]:PATTERN</c>, e.g. <c>openat:ENOENT</c>,
/// <c>connect:ECONNREFUSED,ETIMEDOUT</c>, <c>openat:ENOENT:/lib/firmware/*</c>. A pattern matches the call's path
/// argument as the program passed it (<c>*</c> any run of characters, '/' included; <c>?</c> one character;
/// <c>\</c> escapes), so programs that probe for files routinely (the loader, locale data) are let be.
/// </summary>
public sealed partial record AbortRule(string Syscall, IReadOnlyList<string> Errnos, string? PathPattern = null)
{
    public static bool TryParse(string text, out AbortRule? rule, out string? error)
    {
        rule = null;
        var parts = text.Split(':', 3);
        if (!SyscallName().IsMatch(parts[0]))
        {
            error = $"--abort-on '{text}': '{parts[0]}' is not a system call name (e.g. openat:ENOENT)";
            return false;
        }

        var pattern = parts.Length == 3 ? parts[2] : null;
        if (pattern is { Length: 0 })
        {
            error = $"--abort-on '{text}': the path pattern after the second ':' is empty (e.g. openat:ENOENT:/lib/firmware/*)";
            return false;
        }

        // With a pattern, the errnos may be left out: openat::/etc/secret*
        var errnos = parts.Length >= 2 && !(pattern is not null && parts[1].Length == 0) ? parts[1].Split(',') : [];
        var bad = errnos.FirstOrDefault(e => !ErrnoName().IsMatch(e));
        if (bad is not null)
        {
            error = $"--abort-on '{text}': '{bad}' is not an errno name (ENOENT, EACCES, …)";
            return false;
        }

        rule = new AbortRule(parts[0], errnos, pattern);
        error = null;
        return true;
    }

    public bool Matches(SyscallEvent call) =>
        call.Outcome == SyscallOutcome.Error
        && string.Equals(call.Syscall, Syscall, StringComparison.Ordinal)
        && (Errnos.Count == 0 || Errnos.Contains(call.Errno, StringComparer.Ordinal))
        && (PathPattern is null || (call.Path is { } path && FileSystemName.MatchesSimpleExpression(PathPattern, path, ignoreCase: false)));

    public override string ToString() =>
        (Errnos.Count == 0 ? Syscall : $"{Syscall}:{string.Join(',', Errnos)}") + (PathPattern is null ? "" : $"{(Errnos.Count == 0 ? "::" : ":")}{PathPattern}");

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*\z")]
    private static partial Regex SyscallName();

    [GeneratedRegex(@"^E[A-Z0-9]+\z")]
    private static partial Regex ErrnoName();
}
