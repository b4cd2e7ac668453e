using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <summary>
    /// The transaction that last changed a customer's rollups, as xid8 (which never wraps around): a refit compares it with
    /// the snapshot its read was taken in, and rescores the customers it could not see. Not in the EF model: only SQL writes
    /// and reads it (CustomerRollups, BulkImporter, CustomerPredictionJob).
    /// </summary>
    public partial class CustomerRollupsChangedXid : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("ALTER TABLE customers ADD COLUMN rollups_changed_xid xid8;");

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder) =>
            migrationBuilder.Sql("ALTER TABLE customers DROP COLUMN rollups_changed_xid;");
    }
}
