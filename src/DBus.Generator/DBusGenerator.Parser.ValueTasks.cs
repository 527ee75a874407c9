using System.Linq;
using DBus.Generator.Diagnostics;

namespace DBus.Generator;

public sealed partial class DBusGenerator
{
    internal sealed partial class Parser
    {
        // org.dbusgen.ValueTasks is read on interfaces, methods and properties (the innermost wins, then the file's
        // ValueTasks metadata): what a proxy awaits per call. Signals are subscriptions, not calls; arguments have no
        // task of their own.

        /// <summary>An annotation written on a signal or on its arguments is reported where it does not apply.</summary>
        private void NoValueTasks(RawMember signal)
        {
            if (signal.Annotations.ValueTasks is not null)
            {
                Report(DiagnosticDescriptors.ValueTasksNotApplicable, signal.Annotations.ValueTasksLocation!, $"signal '{signal.Name}'",
                    "signals are watched, not called: Watch and Read keep their tasks");
            }
            ArgsWithoutValueTasks(signal);
        }

        /// <summary>An annotation written on an argument is reported where it does not apply.</summary>
        private void ArgsWithoutValueTasks(RawMember member)
        {
            string kind = member.Kind.ToString().ToLowerInvariant();
            foreach (var arg in member.AllArgs.Where(a => a.Annotations.ValueTasks is not null))
            {
                Report(DiagnosticDescriptors.ValueTasksNotApplicable, arg.Annotations.ValueTasksLocation!,
                    $"an argument of {kind} '{member.Name}'", "write it on the method, its interface, or as the file's ValueTasks metadata");
            }
        }
    }
}
