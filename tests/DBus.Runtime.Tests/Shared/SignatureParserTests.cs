using DBus.Shared;

namespace DBus.Runtime.Tests.Shared;

public class SignatureParserTests
{
    [TestCase("")]
    [TestCase("y")]
    [TestCase("ybnqiuxtdsoghv")]
    [TestCase("ai")]
    [TestCase("a{sv}")]
    [TestCase("a{oa{sa{sv}}}")]
    [TestCase("(i)")]
    [TestCase("(ia(sv)a{ya{ss}})")]
    [TestCase("aai")]
    public void Valid_signatures_parse(string signature)
    {
        Assert.That(SignatureParser.Validate(signature), Is.Null);
    }

    [TestCase("z", 0, "'z' is not a D-Bus type code")]
    [TestCase("a", 1, "'a' at the end: an array needs an element type")]
    [TestCase("(", 1, "struct opened at character 0 is never closed: ')' is missing")]
    [TestCase("(i", 2, "struct opened at character 0 is never closed: ')' is missing")]
    [TestCase("i)", 1, "')' closes no open struct")]
    [TestCase("()", 1, "empty struct: a struct needs at least one field")]
    [TestCase("{sv}", 0, "dict entry outside an array: '{' may only follow 'a'")]
    [TestCase("({sv})", 1, "dict entry outside an array: '{' may only follow 'a'")]
    [TestCase("a{vs}", 2, "dict entry key must be a basic type, not 'v'")]
    [TestCase("a{(i)s}", 2, "dict entry key must be a basic type, not '('")]
    [TestCase("a{s}", 3, "dict entry has a key but no value")]
    [TestCase("a{}", 2, "empty dict entry: it needs a key and a value")]
    [TestCase("a{svv}", 4, "dict entry has more than a key and a value: '}' expected")]
    [TestCase("a{sv", 4, "dict entry opened at character 1 is never closed: '}' is missing")]
    [TestCase("ia}", 2, "'}' closes no open dict entry")]
    public void Invalid_signatures_name_the_character_and_the_reason(string signature, int position, string reason)
    {
        var error = SignatureParser.Validate(signature);
        Assert.That(error, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(error!.Position, Is.EqualTo(position));
            Assert.That(error.Reason, Is.EqualTo(reason));
        });
    }

    [Test]
    public void Nesting_limits_are_those_of_the_specification()
    {
        Assert.That(SignatureParser.Validate(new string('a', 32) + "i"), Is.Null);
        Assert.That(SignatureParser.Validate(new string('a', 33) + "i")?.Position, Is.EqualTo(32));
        Assert.That(SignatureParser.Validate(new string('(', 32) + "i" + new string(')', 32)), Is.Null);
        Assert.That(SignatureParser.Validate(new string('(', 33) + "i" + new string(')', 33))?.Position, Is.EqualTo(32));
        // 32 arrays around 32 structs is the total limit of 64.
        Assert.That(SignatureParser.Validate(new string('a', 32) + new string('(', 32) + "i" + new string(')', 32)), Is.Null);
        // Dict entries count as structs.
        var deepDict = string.Concat(Enumerable.Repeat("a{s", 32)) + "i" + new string('}', 32);
        Assert.That(SignatureParser.Validate(deepDict), Is.Null);
        var tooDeepDict = "(" + deepDict + ")";
        Assert.That(SignatureParser.Validate(tooDeepDict), Is.Not.Null);
    }

    [Test]
    public void Length_limit_is_255()
    {
        Assert.That(SignatureParser.Validate(new string('i', 255)), Is.Null);
        var error = SignatureParser.Validate(new string('i', 256));
        Assert.That(error?.Position, Is.EqualTo(255));
    }

    [Test]
    public void Parse_gives_the_tree()
    {
        Assert.That(SignatureParser.TryParse("a{sv}(ias)", out var types), Is.Null);
        Assert.That(types, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(types[0].IsDictionary, Is.True);
            Assert.That(types[0].Children[0].Children[1].Kind, Is.EqualTo(SignatureKind.Variant));
            Assert.That(types[1].Kind, Is.EqualTo(SignatureKind.Struct));
            Assert.That(types[1].Children.Select(c => c.Text), Is.EqualTo(new[] { "i", "as" }));
            Assert.That(types[1].Alignment, Is.EqualTo(8));
        });
    }

    [Test]
    public void Single_complete_type_is_checked()
    {
        Assert.That(SignatureParser.TryParseSingle("a{sv}", out var node), Is.Null);
        Assert.That(node!.Text, Is.EqualTo("a{sv}"));
        Assert.That(SignatureParser.TryParseSingle("", out _)?.Position, Is.EqualTo(0));
        Assert.That(SignatureParser.TryParseSingle("ii", out _)?.Position, Is.EqualTo(1));
    }
}
