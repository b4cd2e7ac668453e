using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class AlertQuietDay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "alert_quiet_day",
                table: "digest_settings",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            // A quiet day is quiet for the data it was asked on: any change of the shop's data (an import finishing, a
            // reconciliation, a refund) reopens it, as the report's data version moves.
            migrationBuilder.Sql(ApplyVersionBump("""
                    UPDATE digest_settings SET alert_quiet_day = NULL WHERE shop_id = NEW.shop_id AND alert_quiet_day IS NOT NULL;
                """));
        }

        /// <summary>The report data version's bump at commit (the squashed migration's), with <paramref name="alsoOnBump"/> run when it bumps.</summary>
        private static string ApplyVersionBump(string alsoOnBump) => $$"""
            CREATE OR REPLACE FUNCTION apply_report_data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM report_data_version_bumps WHERE shop_id = NEW.shop_id AND transaction_id = NEW.transaction_id;
                IF FOUND THEN
                    INSERT INTO report_data_versions AS v (shop_id, version) VALUES (NEW.shop_id, 1)
                    ON CONFLICT (shop_id) DO UPDATE SET version = v.version + 1;
            {{alsoOnBump}}
                END IF;
                RETURN NULL;
            END $$;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ApplyVersionBump(""));
            migrationBuilder.DropColumn(
                name: "alert_quiet_day",
                table: "digest_settings");
        }
    }
}
