using System.Runtime.InteropServices;

namespace DBusGen.Tests.Shared;

/// <summary>Raises this process's soft limit on open descriptors (RLIMIT_NOFILE) to its hard limit.</summary>
internal static partial class DescriptorLimit
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>Raises the soft limit as far as the hard limit allows; returns the soft limit in force.</summary>
    public static ulong RaiseToHardLimit()
    {
        if (getrlimit(RlimitNofile, out var limit) != 0)
        {
            return 0;
        }
        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (setrlimit(RlimitNofile, raised) == 0)
            {
                return raised.Current;
            }
        }
        return limit.Current;
    }
}
