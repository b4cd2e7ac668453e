using System.Runtime.CompilerServices;
using WinBack.Web.Reports;

namespace WinBack.Web.Outcomes;

/// <summary>
/// A list WinBack is about to send through one channel. <see cref="Contacts"/> says whether a customer goes on it (the
/// control group's do not) and notes every customer as a listing, held-out ones flagged, for
/// <see cref="WinBackOutcomes.RecordAsync(OutgoingList, CancellationToken)"/> once the list went out.
/// </summary>
public sealed class OutgoingList(ControlGroup group, ReportScope scope, ListingChannels channel, int keepFirst = 0)
{
    private readonly List<WinBackOutcomes.Listed> _listed = [];
    private readonly List<ReportCustomer> _first = [];

    /// <summary>The shop's report as it stood when the list was started: the list's rows are read in it.</summary>
    public ReportScope Scope => scope;
    public long ShopId => scope.ShopId;
    public ListingChannels Channel => channel;
    public IReadOnlyList<WinBackOutcomes.Listed> Listed => _listed;
    /// <summary>The first contacted customers, in list order (at most the number asked for).</summary>
    public IReadOnlyList<ReportCustomer> First => _first;
    public int Contacted { get; private set; }
    public int HeldOut { get; private set; }

    public bool Contacts(ReportCustomer customer)
    {
        var control = group.Holds(customer.Id);
        if (customer.LastOrderDate is { } lastOrder) _listed.Add(new(customer.Id, lastOrder, customer.Segment, control));
        if (control)
        {
            HeldOut++;
            return false;
        }
        Contacted++;
        if (_first.Count < keepFirst) _first.Add(customer);
        return true;
    }

    /// <summary>The records that go on the list, as they are read.</summary>
    public async IAsyncEnumerable<CustomerRecord> ContactedOf(IAsyncEnumerable<CustomerRecord> records, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in records.WithCancellation(cancellationToken))
            if (Contacts(ReportCustomer.From(record, scope))) yield return record;
    }
}
