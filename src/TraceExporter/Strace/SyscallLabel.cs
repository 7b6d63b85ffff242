namespace TraceExporter.Strace;

/// <summary>
/// The label values a strace probe may write, chosen from what strace prints for real calls, so the traced
/// program cannot choose them: a system call's name is lowercase letters, digits and '_' (the longest Linux
/// has is 23 characters); an errno is 'E' and capitals or digits. Anything else, such as the
/// <c>syscall_0x1b3</c> strace prints for a number it has no name for, is <see cref="Other"/>.
/// </summary>
public static class SyscallLabel
{
    public const string Other = "other";

    public const int MaxLength = 32;

    public static string Syscall(string name) =>
        name.Length is > 0 and <= MaxLength && !name.StartsWith("syscall_", StringComparison.Ordinal) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : Other;

    public static string Errno(string errno) =>
        errno.Length is > 1 and <= MaxLength && errno[0] == 'E' && errno.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c))
            ? errno
            : Other;
}
