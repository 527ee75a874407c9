using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace DBus;

/// <summary>
/// The argument conditions of a <see cref="MatchRule"/> (argN, argNpath), ordered by index, checking indexes as they
/// are added. A rule copied for a subscription freezes its copy: a change would desynchronise the rule on the bus
/// from the one the connection matches with.
/// </summary>
internal sealed class MatchRuleArguments(string key) : IDictionary<int, string>
{
    private readonly SortedDictionary<int, string> _values = [];
    private bool _frozen;

    public void Freeze() => _frozen = true;

    public void CopyTo(MatchRuleArguments other)
    {
        foreach (var (index, value) in _values)
        {
            other._values[index] = value;
        }
    }

    public string this[int index]
    {
        get => _values[index];
        set => _values[Check(index)] = value ?? throw new ArgumentNullException(nameof(value));
    }

    public ICollection<int> Keys => _values.Keys;

    public ICollection<string> Values => _values.Values;

    public int Count => _values.Count;

    public bool IsReadOnly => _frozen;

    public void Add(int index, string value) => _values.Add(Check(index), value ?? throw new ArgumentNullException(nameof(value)));

    public void Add(KeyValuePair<int, string> item) => Add(item.Key, item.Value);

    public void Clear()
    {
        Check(0);
        _values.Clear();
    }

    public bool Contains(KeyValuePair<int, string> item) => _values.TryGetValue(item.Key, out var value) && value == item.Value;

    public bool ContainsKey(int index) => _values.ContainsKey(index);

    public void CopyTo(KeyValuePair<int, string>[] array, int arrayIndex) => ((ICollection<KeyValuePair<int, string>>)_values).CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<int, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Remove(int index)
    {
        Check(0);
        return _values.Remove(index);
    }

    public bool Remove(KeyValuePair<int, string> item) => Contains(item) && Remove(item.Key);

    public bool TryGetValue(int index, [MaybeNullWhen(false)] out string value) => _values.TryGetValue(index, out value);

    private int Check(int index)
    {
        if (_frozen)
        {
            ThrowHelper.ThrowInvalidOperation($"this match rule belongs to a subscription and cannot change (its '{key}' conditions are fixed): make a new rule");
        }
        return index is >= 0 and <= MatchRule.MaxArgIndex
            ? index
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"match rule key '{key}': argument index must be 0 to {MatchRule.MaxArgIndex}");
    }
}
