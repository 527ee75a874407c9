namespace DBus.Runtime.Tests.Connection;

public class MatchRuleTests
{
    [Test]
    public void Formats_keys_in_canonical_order_with_quotes()
    {
        var rule = new MatchRule
        {
            Member = "NameOwnerChanged",
            Type = MessageType.Signal,
            Interface = "org.freedesktop.DBus",
            Sender = "org.freedesktop.DBus",
            Path = new ObjectPath("/org/freedesktop/DBus"),
            Args = { [2] = "", [0] = "org.example.App" },
            ArgPaths = { [1] = "/a/" },
        };
        Assert.That(rule.ToString(), Is.EqualTo(
            "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged'," +
            "path='/org/freedesktop/DBus',arg0='org.example.App',arg2='',arg1path='/a/'"));
    }

    [Test]
    public void Apostrophes_are_escaped_the_way_libdbus_reads_them()
    {
        var rule = new MatchRule { Args = { [0] = "don't" } };
        Assert.That(rule.ToString(), Is.EqualTo(@"arg0='don'\''t'"));
        Assert.That(MatchRule.Parse(rule.ToString()).Args[0], Is.EqualTo("don't"));
    }

    [TestCase("type='signal'")]
    [TestCase("type='method_call',sender=':1.5',destination=':1.7'")]
    [TestCase("path_namespace='/org/example',arg0namespace='org.example'")]
    [TestCase("interface='a.b',member='C',arg63='x',arg3path='/p/'")]
    [TestCase("eavesdrop='true'")]
    public void Parses_what_it_formats(string text)
    {
        var rule = MatchRule.Parse(text);
        Assert.That(rule.ToString(), Is.EqualTo(text));
        Assert.That(MatchRule.Parse(rule.ToString()), Is.EqualTo(rule));
    }

    [Test]
    public void Unquoted_values_and_backslashes_outside_quotes()
    {
        var rule = MatchRule.Parse(@"type=signal, member=Foo,arg0=a\'b\c");
        Assert.Multiple(() =>
        {
            Assert.That(rule.Type, Is.EqualTo(MessageType.Signal));
            Assert.That(rule.Member, Is.EqualTo("Foo"));
            Assert.That(rule.Args[0], Is.EqualTo(@"a'b\c"));
        });
    }

    [TestCase("type='bogus'", "type 'bogus' is not one of")]
    [TestCase("member='a-b'", "member")]
    [TestCase("path='no/slash'", "object path must begin with '/'")]
    [TestCase("arg64='x'", "unknown key 'arg64'")]
    [TestCase("argx='x'", "unknown key 'argx'")]
    [TestCase("colour='red'", "unknown key 'colour'")]
    [TestCase("member='A',member='B'", "key 'member' appears twice")]
    [TestCase("member='A", "quote opened here is never closed")]
    [TestCase("member", "key without '=' and value")]
    [TestCase("member='A',", "rule ends with ','")]
    [TestCase("path='/a',path_namespace='/b'", "cannot both be given")]
    [TestCase("eavesdrop='maybe'", "eavesdrop must be")]
    public void Bad_rules_say_what_is_wrong(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => MatchRule.Parse(text));
        Assert.That(ex!.Message, Does.Contain(expected).And.Contain(text));
    }

    [Test]
    public void Invalid_values_are_refused_when_building_a_rule()
    {
        Assert.Throws<ArgumentException>(() => _ = new MatchRule { Interface = "nodots" });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new MatchRule { Args = { [64] = "x" } });
    }

    [TestCase("/a/b", "/a/b", true)]
    [TestCase("/a/b/c", "/a/b/", true)]
    [TestCase("/a/", "/a/b/c", true)]
    [TestCase("/a/b", "/a/", true)]
    [TestCase("/a/bc", "/a/b", false)]
    [TestCase("/a/b", "/a/b/", false)]
    public void ArgPath_matching_follows_the_specification(string actual, string expected, bool matches) =>
        Assert.That(MatchRule.PathArgumentMatches(actual, expected), Is.EqualTo(matches));

    [TestCase("/", "/anything/at/all", true)]
    [TestCase("/a", "/a", true)]
    [TestCase("/a", "/a/b", true)]
    [TestCase("/a", "/ab", false)]
    public void Path_namespace_matching(string ns, string path, bool matches) =>
        Assert.That(MatchRule.IsInPathNamespace(new ObjectPath(path), new ObjectPath(ns)), Is.EqualTo(matches));
}

public class MatchRuleMatchingTests
{
    private static Message NameOwnerChanged(string name, string oldOwner, string newOwner)
    {
        var writer = MessageWriter.CreateSignal(new ObjectPath("/org/freedesktop/DBus"), "org.freedesktop.DBus", "NameOwnerChanged", new Signature("sss"));
        writer.WriteString(name);
        writer.WriteString(oldOwner);
        writer.WriteString(newOwner);
        return writer.ToMessage();
    }

    private static Message PathSignal(string arg0Path, int arg1)
    {
        var writer = MessageWriter.CreateSignal(new ObjectPath("/org/example/Obj/Child"), "org.example.Iface", "Changed", new Signature("oi"));
        writer.WriteObjectPath(new ObjectPath(arg0Path));
        writer.WriteInt32(arg1);
        return writer.ToMessage();
    }

    [Test]
    public void Header_keys_must_all_match()
    {
        using var message = NameOwnerChanged("org.example.App", "", ":1.9");
        Assert.Multiple(() =>
        {
            Assert.That(new MatchRule { Type = MessageType.Signal, Member = "NameOwnerChanged" }.Matches(message, null), Is.True);
            Assert.That(new MatchRule { Type = MessageType.MethodCall }.Matches(message, null), Is.False);
            Assert.That(new MatchRule { Interface = "org.freedesktop.DBus", Member = "Other" }.Matches(message, null), Is.False);
            Assert.That(new MatchRule { PathNamespace = new ObjectPath("/org/freedesktop") }.Matches(message, null), Is.True);
            Assert.That(new MatchRule { Path = new ObjectPath("/org/freedesktop") }.Matches(message, null), Is.False);
            Assert.That(new MatchRule { Destination = ":1.1" }.Matches(message, null), Is.False);
        });
    }

    [Test]
    public void Arg_keys_read_the_body()
    {
        using var message = NameOwnerChanged("org.example.App", "", ":1.9");
        Assert.Multiple(() =>
        {
            Assert.That(new MatchRule { Args = { [0] = "org.example.App" } }.Matches(message, null), Is.True);
            Assert.That(new MatchRule { Args = { [0] = "org.example.Other" } }.Matches(message, null), Is.False);
            Assert.That(new MatchRule { Args = { [1] = "", [2] = ":1.9" } }.Matches(message, null), Is.True);
            Assert.That(new MatchRule { Args = { [3] = "x" } }.Matches(message, null), Is.False, "there is no fourth argument");
            Assert.That(new MatchRule { Arg0Namespace = "org.example" }.Matches(message, null), Is.True);
            Assert.That(new MatchRule { Arg0Namespace = "org.exam" }.Matches(message, null), Is.False);
        });
    }

    [Test]
    public void ArgN_needs_a_string_but_argNpath_takes_an_object_path()
    {
        using var message = PathSignal("/a/b", 7);
        Assert.Multiple(() =>
        {
            Assert.That(new MatchRule { Args = { [0] = "/a/b" } }.Matches(message, null), Is.False, "arg0 is an object path, not a string");
            Assert.That(new MatchRule { ArgPaths = { [0] = "/a/" } }.Matches(message, null), Is.True);
            Assert.That(new MatchRule { ArgPaths = { [1] = "7" } }.Matches(message, null), Is.False, "arg1 is an int");
        });
    }
}
