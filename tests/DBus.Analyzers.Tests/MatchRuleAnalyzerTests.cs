using DBus.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using static DBus.Analyzers.Tests.TestHelper;

namespace DBus.Analyzers.Tests;

public class MatchRuleAnalyzerTests
{
    private static Task Verify(string body, params DiagnosticResult[] expected) =>
        VerifyAnalyzerAsync<MatchRuleAnalyzer>($$"""
            using DBus;
            using TestApi;

            class C
            {
                void M(Bus bus, string runtimeRule)
                {
                    {{body}}
                }
            }
            """, expected);

    private static DiagnosticResult Invalid(int location, string reason, int position) =>
        Diagnostic(DiagnosticDescriptors.InvalidMatchRule, location).WithArguments(reason, position);

    [Test]
    public async Task Bad_keys_and_values_are_reported_where_they_stand()
    {
        await Verify("""
            _ = MatchRule.Parse("type='signal',{|#0:colour|}='red'");
            _ = MatchRule.Parse("type={|#1:'bogus'|}");
            _ = MatchRule.Parse("member='A',{|#2:member|}='B'");
            _ = MatchRule.Parse("member={|#3:'|}A");
            _ = MatchRule.Parse("interface={|#4:'nodots'|}");
            _ = MatchRule.Parse("path='/a',{|#5:path_namespace|}='/b'");
            _ = MatchRule.Parse("member='A'{|#6:,|}");
            _ = MatchRule.Parse("{|#7:arg64|}='x'");
            """,
            Invalid(0, "unknown key 'colour'", 14),
            Invalid(1, "type 'bogus' is not one of signal, method_call, method_return, error", 5),
            Invalid(2, "key 'member' appears twice", 11),
            Invalid(3, "quote opened here is never closed", 7),
            Invalid(4, "match rule key 'interface': 'nodots' is not valid: an interface name needs at least two elements separated by '.'", 10),
            Invalid(5, "'path' and 'path_namespace' cannot both be given", 10),
            Invalid(6, "rule ends with ','", 10),
            Invalid(7, "unknown key 'arg64' (argument keys are arg0 to arg63, optionally followed by 'path')", 0));
    }

    [Test]
    public async Task A_character_outside_the_BMP_is_covered_whole()
    {
        // Two UTF-16 units: a squiggle over the first alone would split the character.
        await Verify("""
            _ = MatchRule.Parse("member=Get{|#0:😀|}All");
            """,
            Invalid(0, "match rule key 'member': 'Get\U0001F600All' is not valid: character U+D83D at 3 is not allowed in a member name (only [A-Za-z0-9_])", 10));
    }

    [Test]
    public async Task Invalid_names_in_values_are_reported_at_the_character_when_written_as_is()
    {
        await Verify("""
            _ = MatchRule.Parse("type='signal',interface='org.example.{|#0:-|}x'");
            _ = MatchRule.Parse("member=Get{|#1:-|}All");
            _ = MatchRule.Parse("path='/a/{|#2:/|}b'");
            _ = MatchRule.Parse(@"member={|#3:a\'b|}");
            """,
            Invalid(0, "match rule key 'interface': 'org.example.-x' is not valid: character '-' at 12 is not allowed in an interface name (only [A-Za-z0-9_] and '.')", 37),
            Invalid(1, "match rule key 'member': 'Get-All' is not valid: character '-' at 3 is not allowed in a member name (only [A-Za-z0-9_])", 10),
            Invalid(2, "match rule key 'path': '/a//b' is not valid: empty element at character 3: an object path must not contain '//'", 9),
            Invalid(3, "match rule key 'member': 'a'b' is not valid: character ''' at 1 is not allowed in a member name (only [A-Za-z0-9_])", 7));
    }

    [Test]
    public async Task Marked_parameters_and_properties_are_checked()
    {
        await Verify("""
            bus.AddMatch("type='signal',{|#0:sender|}", _ => { });
            _ = new Options { Rule = "eavesdrop={|#1:maybe|}" };
            """,
            Invalid(0, "key without '=' and value", 14),
            Invalid(1, "eavesdrop must be 'true' or 'false', not 'maybe'", 10));
    }

    [Test]
    public async Task Valid_rules_and_runtime_rules_do_not_trigger()
    {
        await Verify("""
            _ = MatchRule.Parse("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='org.example.App'");
            _ = MatchRule.Parse(@"type=signal, member=Foo,arg0=a\'b,arg3path='/p/',arg0namespace='org.example'");
            _ = MatchRule.Parse("");
            _ = MatchRule.Parse(runtimeRule);
            bus.AddMatch("type='method_call',path_namespace='/org/example',eavesdrop='true'", _ => { });
            """);
    }
}
