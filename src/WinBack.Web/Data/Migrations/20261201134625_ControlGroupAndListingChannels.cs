using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <summary>
    /// Listings record every channel as a bit set (digest 1, sheet 2, CSV 4, scheduled report 8, tags 16, carried over from
    /// in_digest / in_sheet) and whether the control group held the customer out; shops get the control group setting.
    /// </summary>
    public partial class ControlGroupAndListingChannels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "channels",
                table: "winback_listings",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "control",
                table: "winback_listings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql("UPDATE winback_listings SET channels = (CASE WHEN in_digest THEN 1 ELSE 0 END) | (CASE WHEN in_sheet THEN 2 ELSE 0 END);");

            migrationBuilder.DropColumn(
                name: "in_digest",
                table: "winback_listings");

            migrationBuilder.DropColumn(
                name: "in_sheet",
                table: "winback_listings");

            migrationBuilder.AddColumn<bool>(
                name: "control_group_on",
                table: "shop_settings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "control_group_salt",
                table: "shop_settings",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "in_digest",
                table: "winback_listings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "in_sheet",
                table: "winback_listings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.Sql("UPDATE winback_listings SET in_digest = channels & 1 <> 0, in_sheet = channels & 2 <> 0;");

            migrationBuilder.DropColumn(
                name: "channels",
                table: "winback_listings");

            migrationBuilder.DropColumn(
                name: "control",
                table: "winback_listings");

            migrationBuilder.DropColumn(
                name: "control_group_on",
                table: "shop_settings");

            migrationBuilder.DropColumn(
                name: "control_group_salt",
                table: "shop_settings");
        }
    }
}
