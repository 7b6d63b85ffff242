using System.Globalization;

namespace TraceExporter.Strace;

/// <summary>
/// Turns lines of strace output (<c>strace -f -q -xx -o FILE</c>: every line starts with the pid) into
/// <see cref="StraceEvent"/>s. With <c>-f</c> a call that another process interrupts is printed in two halves,
/// <c>openat(AT_FDCWD, "/x", O_RDONLY &lt;unfinished ...&gt;</c> and later
/// <c>&lt;... openat resumed&gt;) = 3</c>, with other processes' lines between; the first half is kept per pid
/// and the call is reported once, whole, when its second half arrives. Pure: no I/O; one instance per strace
/// process, used from one thread.
/// </summary>
public sealed class StraceLineParser
{
    private const string Unfinished = " <unfinished ...>";
    private const string Detached = "<detached ...>";

    /// <summary>Which argument (0-based) is the path, for the calls that take one.</summary>
    private static readonly Dictionary<string, int> PathArgument = new(StringComparer.Ordinal)
    {
        ["open"] = 0, ["creat"] = 0, ["stat"] = 0, ["lstat"] = 0, ["stat64"] = 0, ["lstat64"] = 0,
        ["access"] = 0, ["execve"] = 0, ["truncate"] = 0, ["truncate64"] = 0, ["chdir"] = 0, ["chroot"] = 0,
        ["chmod"] = 0, ["chown"] = 0, ["lchown"] = 0, ["mkdir"] = 0, ["rmdir"] = 0, ["unlink"] = 0,
        ["readlink"] = 0, ["statfs"] = 0, ["statfs64"] = 0, ["mknod"] = 0, ["utime"] = 0, ["utimes"] = 0,
        ["link"] = 0, ["symlink"] = 1, ["rename"] = 0, ["setxattr"] = 0, ["lsetxattr"] = 0, ["getxattr"] = 0,
        ["lgetxattr"] = 0, ["listxattr"] = 0, ["llistxattr"] = 0, ["removexattr"] = 0, ["lremovexattr"] = 0,
        ["swapon"] = 0, ["swapoff"] = 0, ["acct"] = 0, ["umount2"] = 0, ["uselib"] = 0,
        ["openat"] = 1, ["openat2"] = 1, ["newfstatat"] = 1, ["fstatat64"] = 1, ["faccessat"] = 1,
        ["faccessat2"] = 1, ["execveat"] = 1, ["mkdirat"] = 1, ["mknodat"] = 1, ["fchownat"] = 1,
        ["fchmodat"] = 1, ["fchmodat2"] = 1, ["unlinkat"] = 1, ["readlinkat"] = 1, ["renameat"] = 1,
        ["renameat2"] = 1, ["linkat"] = 1, ["utimensat"] = 1, ["futimesat"] = 1, ["statx"] = 1,
        ["name_to_handle_at"] = 1, ["inotify_add_watch"] = 1, ["symlinkat"] = 2, ["open_tree"] = 1,
        ["mount"] = 1, ["quotactl"] = 1,
    };

    private readonly Dictionary<int, string> _pending = [];

    /// <summary>Calls seen in their first half whose second half has not come yet.</summary>
    public int PendingCalls => _pending.Count;

    /// <summary>
    /// The event on this line, or null when the line completes nothing: the first half of a call, a call cut
    /// off by a detach, an empty line.
    /// </summary>
    public StraceEvent? Parse(string line)
    {
        var text = line.AsSpan().TrimEnd("\r\n");
        if (text.IsWhiteSpace())
        {
            return null;
        }

        var pid = ReadPid(ref text);
        if (text.StartsWith("+++ ", StringComparison.Ordinal))
        {
            _pending.Remove(pid);
            return ParseExit(pid, text, line);
        }

        if (text.StartsWith("--- ", StringComparison.Ordinal))
        {
            return ParseSignal(pid, text, line);
        }

        string call;
        if (text.StartsWith("<... ", StringComparison.Ordinal))
        {
            var end = text.IndexOf(" resumed>", StringComparison.Ordinal);
            if (end < 0)
            {
                return new UnrecognizedLine(pid, line);
            }

            var tail = text[(end + " resumed>".Length)..];
            call = _pending.Remove(pid, out var head)
                ? head + tail.ToString()
                : string.Concat(text[5..end], "(", tail); // attached mid-call: the arguments before are lost
        }
        else
        {
            call = text.ToString();
        }

        if (call.EndsWith(Unfinished, StringComparison.Ordinal))
        {
            _pending[pid] = call[..^Unfinished.Length];
            return null;
        }

        if (call.EndsWith(Detached, StringComparison.Ordinal))
        {
            return null; // strace let go of the process mid-call; nobody saw it end
        }

        // "read(0,  <unfinished ...>) = ?": the process died inside the call.
        call = call.Replace(Unfinished + ")", ")", StringComparison.Ordinal);
        return (StraceEvent?)ParseCall(pid, call) ?? new UnrecognizedLine(pid, line);
    }

    private static int ReadPid(ref ReadOnlySpan<char> text)
    {
        // "123 openat(...)" with -o FILE; "[pid   123] openat(...)" when strace writes to stderr.
        var bracketed = text.StartsWith("[pid ", StringComparison.Ordinal);
        var rest = bracketed ? text[5..].TrimStart(' ') : text;
        var digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }

        if (digits == 0 || digits >= rest.Length || (bracketed ? rest[digits] != ']' : rest[digits] != ' '))
        {
            return 0; // no pid: strace without -f
        }

        var pid = int.Parse(rest[..digits], NumberStyles.None, CultureInfo.InvariantCulture);
        text = rest[(digits + (bracketed ? 1 : 0))..].TrimStart(' ');
        return pid;
    }

    private static StraceEvent ParseExit(int pid, ReadOnlySpan<char> text, string line)
    {
        const string ExitedWith = "+++ exited with ";
        const string KilledBy = "+++ killed by ";
        if (text.StartsWith(ExitedWith, StringComparison.Ordinal))
        {
            var rest = text[ExitedWith.Length..];
            var space = rest.IndexOf(' ');
            if (space > 0 && int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
            {
                return new ProcessExitEvent(pid, code, null);
            }
        }
        else if (text.StartsWith(KilledBy, StringComparison.Ordinal))
        {
            var rest = text[KilledBy.Length..];
            var space = rest.IndexOf(' ');
            if (space > 0)
            {
                return new ProcessExitEvent(pid, null, rest[..space].ToString()); // "(core dumped)" may follow
            }
        }

        return new UnrecognizedLine(pid, line);
    }

    private static StraceEvent ParseSignal(int pid, ReadOnlySpan<char> text, string line)
    {
        var rest = text[4..];
        if (rest.StartsWith("stopped by ", StringComparison.Ordinal))
        {
            rest = rest["stopped by ".Length..];
        }

        var space = rest.IndexOf(' ');
        return space > 0 && rest.StartsWith("SIG", StringComparison.Ordinal)
            ? new SignalEvent(pid, rest[..space].ToString())
            : new UnrecognizedLine(pid, line);
    }

    private static SyscallEvent? ParseCall(int pid, string call)
    {
        var open = call.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !IsName(call.AsSpan(0, open)))
        {
            return null;
        }

        var name = call[..open];
        var pathIndex = PathArgument.TryGetValue(name, out var index) ? index : -1;
        string? path = null;
        var close = ScanArguments(call, open + 1, pathIndex, ref path);
        if (close < 0)
        {
            return null;
        }

        var rest = call.AsSpan(close + 1).TrimStart(' ');
        if (rest.IsEmpty || rest[0] != '=')
        {
            return null;
        }

        rest = rest[1..].TrimStart(' ');
        var end = rest.IndexOf(' ');
        var value = end < 0 ? rest : rest[..end];
        if (value.IsEmpty)
        {
            return null;
        }

        var after = end < 0 ? [] : rest[(end + 1)..];
        var errnoEnd = after.IndexOf(' ');
        var errno = errnoEnd < 0 ? after : after[..errnoEnd];
        if ((value[0] == '-' || value is "?") && IsErrno(errno))
        {
            return new SyscallEvent(pid, name, SyscallOutcome.Error, errno.ToString(), path);
        }

        return new SyscallEvent(pid, name, value is "?" ? SyscallOutcome.Unknown : SyscallOutcome.Ok, null, path);
    }

    /// <summary>
    /// Finds the ')' that closes the argument list (skipping strings and nested brackets), and decodes the
    /// argument at <paramref name="pathIndex"/> on the way. Returns -1 when the list does not close.
    /// </summary>
    private static int ScanArguments(string call, int start, int pathIndex, ref string? path)
    {
        var depth = 0;
        var argument = 0;
        var argumentStart = start;
        for (var i = start; i < call.Length; i++)
        {
            switch (call[i])
            {
                case '"':
                    i++;
                    while (i < call.Length && call[i] != '"')
                    {
                        i += call[i] == '\\' ? 2 : 1;
                    }

                    if (i >= call.Length)
                    {
                        return -1;
                    }

                    break;
                case '(' or '[' or '{':
                    depth++;
                    break;
                case ']' or '}':
                    depth--;
                    break;
                case ')' when depth > 0:
                    depth--;
                    break;
                case ')':
                    if (argument == pathIndex)
                    {
                        path = StraceString.Decode(call.AsSpan(argumentStart, i - argumentStart));
                    }

                    return i;
                case ',' when depth == 0:
                    if (argument == pathIndex)
                    {
                        path = StraceString.Decode(call.AsSpan(argumentStart, i - argumentStart));
                    }

                    argument++;
                    argumentStart = i + 1;
                    break;
            }
        }

        return -1;
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsErrno(ReadOnlySpan<char> token)
    {
        if (token.Length < 2 || token[0] != 'E')
        {
            return false;
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
