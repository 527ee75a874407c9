using System.Collections.Generic;
using System.Linq;
using DBus.Generator.Diagnostics;

namespace DBus.Generator;

public sealed partial class DBusGenerator
{
    internal sealed partial class Parser
    {
        /// <summary>The element codes whose wire layout is the .NET type's: <c>b</c> is 4 bytes on the wire, not 1.</summary>
        private const string PooledElementCodes = "ynqiuxtd";

        private const string NotPoolableReason = "its type is not an array of y, n, q, i, u, x, t or d";

        /// <summary>Whether an argument of this type can be sent as <c>ReadOnlyMemory&lt;T&gt;</c> and read into a pooled array.</summary>
        internal static bool IsPoolable(string type) =>
            type.Length == 2 && type[0] == 'a' && PooledElementCodes.IndexOf(type[1]) >= 0;

        /// <summary>
        /// The arguments of a method that use pooled arrays: the innermost <c>org.dbusgen.PooledArrays</c> wins (argument,
        /// then method, interface, and the file's <c>PooledArrays</c> metadata in <paramref name="inherited"/>). A setting
        /// inherited from outside applies to the arguments it can; one written on an argument, or on a method none of
        /// whose arguments it fits, is reported where it does not apply.
        /// </summary>
        private HashSet<RawArg> PooledArgs(RawMember method, bool? inherited)
        {
            var result = new HashSet<RawArg>();
            foreach (var arg in method.AllArgs)
            {
                bool? own = arg.Annotations.Pooled;
                if ((own ?? inherited) != true)
                {
                    continue;
                }
                if (IsPoolable(arg.Type))
                {
                    result.Add(arg);
                }
                else if (own == true)
                {
                    string what = arg.Name is null ? $"an unnamed argument of method '{method.Name}'" : $"argument '{arg.Name}' of method '{method.Name}'";
                    Report(DiagnosticDescriptors.PooledArraysNotApplicable, arg.Annotations.PooledLocation!, what, NotPoolableReason);
                }
            }
            if (method.Annotations.Pooled == true && !method.AllArgs.Any(a => IsPoolable(a.Type)))
            {
                Report(DiagnosticDescriptors.PooledArraysNotApplicable, method.Annotations.PooledLocation!,
                    $"method '{method.Name}'", "none of its arguments is an array of y, n, q, i, u, x, t or d");
            }
            return result;
        }

        /// <summary>Signals and properties keep arrays; an annotation written on them or their arguments says so.</summary>
        private void NotPooled(RawMember member, string reason)
        {
            string kind = member.Kind.ToString().ToLowerInvariant();
            if (member.Annotations.Pooled == true)
            {
                Report(DiagnosticDescriptors.PooledArraysNotApplicable, member.Annotations.PooledLocation!, $"{kind} '{member.Name}'", reason);
            }
            foreach (var arg in member.AllArgs.Where(a => a.Annotations.Pooled == true))
            {
                Report(DiagnosticDescriptors.PooledArraysNotApplicable, arg.Annotations.PooledLocation!,
                    $"an argument of {kind} '{member.Name}'", reason);
            }
        }
    }
}
