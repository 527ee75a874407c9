using System;
using Microsoft.CodeAnalysis;

namespace DBus.Analyzers.Helpers;

/// <summary>
/// Whether some code runs on the connection's dispatch thread: yes (with the reason, for the message), no, or "if
/// this member is a handler", which only the references to the member (a method group passed to a
/// <c>[DBusDispatchThread]</c> parameter) can settle, once the type or the compilation has been seen.
/// </summary>
internal sealed class DispatchVerdict
{
    public static readonly DispatchVerdict No = new(null, null, null);

    private readonly Func<string, string>? _wrap;

    private DispatchVerdict(string? reason, IMethodSymbol? member, Func<string, string>? wrap)
    {
        Reason = reason;
        Member = member;
        _wrap = wrap;
    }

    /// <summary>Why the code runs on the dispatch thread, when that is known now.</summary>
    public string? Reason { get; }

    /// <summary>The member whose being a handler decides, when that is not known yet.</summary>
    public IMethodSymbol? Member { get; }

    public static DispatchVerdict Yes(string reason) => new(reason, null, null);

    public static DispatchVerdict IfHandler(IMethodSymbol member) => new(null, member.OriginalDefinition, null);

    /// <summary>The reason, given why <see cref="Member"/> runs on the dispatch thread.</summary>
    public string Describe(string memberReason) => _wrap is null ? memberReason : _wrap(memberReason);

    /// <summary>The verdict for code that runs where this code calls it: <paramref name="outer"/> says how.</summary>
    public DispatchVerdict CalledFrom(Func<string, string> outer)
    {
        if (Reason is not null)
        {
            return Yes(outer(Reason));
        }
        if (Member is not null)
        {
            return new DispatchVerdict(null, Member, r => outer(Describe(r)));
        }
        return this;
    }
}
