namespace TraceExporter.Kernel;

/// <summary>A cgroup the resolver knew whose directory is gone.</summary>
/// <param name="Id">Its id (the inode number its directory had).</param>
/// <param name="Path">Its last path under the cgroup2 mount, which it keeps.</param>
/// <param name="Since">When the resolver first found the directory gone (a walk or a check; not when it was removed).</param>
public sealed record GoneCgroup(ulong Id, string Path, DateTimeOffset Since);
