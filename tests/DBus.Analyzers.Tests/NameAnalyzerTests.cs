using DBus.Analyzers.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using static DBus.Analyzers.Tests.TestHelper;

namespace DBus.Analyzers.Tests;

public class NameAnalyzerTests
{
    private static Task Verify(string body, params DiagnosticResult[] expected) =>
        VerifyAnalyzerAsync<NameAnalyzer>($$"""
            using DBus;
            using TestApi;

            class C
            {
                const string NoDots = "nodots";

                void M(Bus bus, Message call, string runtimeName)
                {
                    {{body}}
                }
            }
            """, expected);

    private static DiagnosticResult Invalid(int location, string value, string kind, string problem) =>
        Diagnostic(DiagnosticDescriptors.InvalidName, location).WithArguments(value, kind, problem);

    [Test]
    public async Task A_character_outside_the_BMP_is_covered_whole()
    {
        await Verify("""
            using var a = MessageWriter.CreateSignal("/", "org.example.Iface", "Get{|#0:😀|}All");
            """,
            Invalid(0, "Get\U0001F600All", "member name", "character U+D83D at 3 is not allowed in a member name (only [A-Za-z0-9_])"));
    }

    [Test]
    public async Task Message_building_names_are_checked()
    {
        await Verify("""
            using var a = MessageWriter.CreateMethodCall("org.{|#0:.|}App", "/org/example{|#1:/|}", {|#2:"Iface"|}, "Get{|#3:-|}All");
            using var b = MessageWriter.CreateSignal("/", "org.example.Iface", "{|#4:1|}st");
            using var c = MessageWriter.CreateError(call, {|#5:NoDots|}, null);
            """,
            Invalid(0, "org..App", "bus name", "empty element at character 4: a bus name must not contain '..' or end with '.'"),
            Invalid(1, "/org/example/", "object path", "an object path other than '/' must not end with '/'"),
            Invalid(2, "Iface", "interface name", "an interface name needs at least two elements separated by '.'"),
            Invalid(3, "Get-All", "member name", "character '-' at 3 is not allowed in a member name (only [A-Za-z0-9_])"),
            Invalid(4, "1st", "member name", "a member name must not begin with a digit"),
            Invalid(5, "nodots", "error name", "an error name needs at least two elements separated by '.'"));
    }

    [Test]
    public async Task Object_paths_are_checked_through_the_constructor_and_conversions()
    {
        await Verify("""
            _ = new ObjectPath("{|#0:n|}o/slash");
            ObjectPath p = "/a/{|#1:/|}b";
            """,
            Invalid(0, "no/slash", "object path", "an object path must begin with '/'"),
            Invalid(1, "/a//b", "object path", "empty element at character 3: an object path must not contain '//'"));
    }

    [Test]
    public async Task Well_known_names_refuse_unique_names()
    {
        await Verify("""bus.RequestName("{|#0::|}1.42");""",
            Invalid(0, ":1.42", "well-known bus name", "a unique name (beginning with ':') is assigned by the bus; only a well-known name can be requested or released"));
    }

    [Test]
    public async Task Properties_fields_and_exceptions_are_checked()
    {
        await Verify("""
            _ = new Options { ErrorName = {|#0:"Failed"|} };
            _ = new MatchRule { Interface = "org.example.{|#1:1|}x" };
            _ = new DBusException({|#2:"bad"|}, "text");
            """,
            Invalid(0, "Failed", "error name", "an error name needs at least two elements separated by '.'"),
            Invalid(1, "org.example.1x", "interface name", "element of an interface name begins with digit '1' at character 12"),
            Invalid(2, "bad", "error name", "an error name needs at least two elements separated by '.'"));
    }

    [Test]
    public async Task Error_names_given_to_a_method_context_and_a_whole_header_are_checked()
    {
        await VerifyAnalyzerAsync<NameAnalyzer>("""
            using DBus;

            class C
            {
                void M(MethodContext context)
                {
                    context.ReplyError({|#0:"NoDots"|}, "text");
                    _ = new MessageHeaderFields { ErrorName = {|#1:"bad"|}, Sender = "{|#2:.|}x.y" };
                }
            }
            """,
            Invalid(0, "NoDots", "error name", "an error name needs at least two elements separated by '.'"),
            Invalid(1, "bad", "error name", "an error name needs at least two elements separated by '.'"),
            Invalid(2, ".x.y", "bus name", "a bus name must not begin with '.'"));
    }

    [Test]
    public async Task Leading_and_trailing_separators_are_pointed_at()
    {
        await Verify("""
            bus.RequestName("{|#0:.|}org.example");
            _ = new MatchRule { Interface = "org.example{|#1:.|}" };
            _ = new MatchRule { Sender = {|#2:":"|} };
            _ = new MatchRule { Member = {|#3:""|} };
            """,
            Invalid(0, ".org.example", "well-known bus name", "a bus name must not begin with '.'"),
            Invalid(1, "org.example.", "interface name", "an interface name must not end with '.'"),
            Invalid(2, ":", "bus name", "a bus name needs at least two elements separated by '.'"),
            Invalid(3, "", "member name", "a member name must not be empty"));
    }

    [Test]
    public async Task Too_long_names_are_reported_on_the_whole_literal()
    {
        string name = "a." + new string('b', 254);
        await Verify($$"""bus.RequestName({|#0:"{{name}}"|});""",
            Invalid(0, name, "well-known bus name", "a bus name is at most 255 characters; this one has 256"));
    }

    [Test]
    public async Task Verbatim_raw_and_escaped_literals()
    {
        await Verify("""""
            _ = new ObjectPath(@"/a/{|#0:-|}b");
            _ = new ObjectPath("""/a/{|#1:-|}b""");
            _ = new ObjectPath({|#2:"/a/\u002db"|});
            _ = new ObjectPath("/a/{|#3:😀|}");
            """"",
            Invalid(0, "/a/-b", "object path", "character '-' at 3 is not allowed in an object path (only [A-Za-z0-9_] and '/')"),
            Invalid(1, "/a/-b", "object path", "character '-' at 3 is not allowed in an object path (only [A-Za-z0-9_] and '/')"),
            Invalid(2, "/a/-b", "object path", "character '-' at 3 is not allowed in an object path (only [A-Za-z0-9_] and '/')"),
            Invalid(3, "/a/😀", "object path", "character U+D83D at 3 is not allowed in an object path (only [A-Za-z0-9_] and '/')"));
    }

    [Test]
    public async Task Valid_names_and_values_known_only_at_run_time_do_not_trigger()
    {
        await Verify("""
            using var a = MessageWriter.CreateMethodCall(":1.42", "/org/example/Obj_1", "org.example.Iface", "GetAll");
            using var b = MessageWriter.CreateMethodCall(null, "/", null, "Ping");
            using var c = MessageWriter.CreateSignal(ObjectPath.Root, "org.example.Iface", runtimeName);
            using var d = MessageWriter.CreateError(call, DBusErrorNames.Failed, null);
            bus.RequestName("org.example.App-2");
            _ = new MatchRule { Interface = "org.example.Iface", Sender = ":1.7" };
            string path = "not a path";
            _ = path;
            """);
    }
}
