namespace DBus.Runtime.Tests.Proxies;

[TestFixture]
public class IntrospectionParserTests
{
    private const string Xml = """
        <!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
        <node name="/org/example">
          <interface name="org.example.Thing">
            <method name="Mix">
              <arg name="a" type="i" direction="in"/>
              <arg name="r" type="s" direction="out"/>
              <arg name="b" type="a{sv}"/>
              <arg name="r2" type="(ii)" direction="out"/>
            </method>
            <method name="Nothing"/>
            <signal name="Changed">
              <arg name="what" type="s"/>
              <arg name="count" type="u" direction="out"/>
            </signal>
            <property name="Level" type="d" access="readwrite"/>
          </interface>
          <interface name="org.example.Empty"/>
          <node name="child"/>
          <node name="other"><interface name="org.example.Nested"/></node>
        </node>
        """;

    [Test]
    public void Methods_signals_properties_and_children_are_read()
    {
        var (interfaces, children) = IntrospectionParser.Parse(Xml);
        Assert.That(interfaces.Select(i => i.Name), Is.EqualTo(new[] { "org.example.Thing", "org.example.Empty" }));
        var thing = interfaces[0];
        Assert.That(thing.Methods, Is.EqualTo(new[]
        {
            new IntrospectedMethod("Mix", new Signature("ia{sv}"), new Signature("s(ii)")),
            new IntrospectedMethod("Nothing", Signature.Empty, Signature.Empty),
        }));
        Assert.That(thing.Signals, Is.EqualTo(new[] { new IntrospectedSignal("Changed", new Signature("su")) }));
        Assert.That(thing.Properties, Is.EqualTo(new[] { new IntrospectedProperty("Level", new Signature("d"), "readwrite") }));
        Assert.That(children, Is.EqualTo(new[] { "child", "other" }));
    }

    [Test]
    public void Missing_names_and_types_are_reported()
    {
        Assert.That(() => IntrospectionParser.Parse("<node><interface/></node>"), Throws.TypeOf<FormatException>().With.Message.Contains("interface without a name"));
        Assert.That(() => IntrospectionParser.Parse("<node><interface name='a.b'><method name='M'><arg/></method></interface></node>"),
            Throws.TypeOf<FormatException>().With.Message.Contains("without a type"));
    }
}
