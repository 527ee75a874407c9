namespace DBusGen.Tests.Shared;

/// <summary>Counts this process's open descriptors of the kinds a transport or a message can leak.</summary>
internal static class DescriptorCount
{
    // No GC first: every descriptor must be closed by Dispose, not rescued by a finalizer. Sockets, pipes and
    // anonymous inodes only: what a transport can leak. Files are left out because the runtime opens assemblies and
    // symbol files lazily (formatting a stack trace somewhere in the process loads some) and keeps them.
    public static int Current() => List().Count;

    /// <summary>The counted descriptors with what they point at, for a failure message.</summary>
    public static List<string> List() =>
        Directory.GetFileSystemEntries("/proc/self/fd").Where(f =>
        {
            try
            {
                string? target = new FileInfo(f).LinkTarget;
                return target is not null && (target.StartsWith("socket:", StringComparison.Ordinal)
                    || target.StartsWith("pipe:", StringComparison.Ordinal) || target.StartsWith("anon_inode:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false; // closed while listing
            }
        }).Select(f => Path.GetFileName(f) + " -> " + new FileInfo(f).LinkTarget).ToList();
}
