#!/usr/bin/perl
# make_test_mmdb.pl OUT_CITY OUT_ASN - write two small MaxMind-format
# databases for the otsentry GeoIP tests: a city database (country and, for
# some ranges, city) and an ASN database, over a few public test ranges.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 CITY.mmdb ASN.mmdb\n" unless @ARGV == 2;
my ($city_out, $asn_out) = @ARGV;

my %types = (
    country     => 'map',
    city        => 'map',
    names       => 'map',
    en          => 'utf8_string',
    iso_code    => 'utf8_string',
    geoname_id  => 'uint32',
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);

sub tree {
    my ($type) = @_;
    return MaxMind::DB::Writer::Tree->new(
        ip_version            => 6,
        record_size           => 24,
        database_type         => $type,
        languages             => ['en'],
        description           => { en => "otsentry test $type" },
        alias_ipv6_to_ipv4    => 1,
        map_key_type_callback => sub { $types{ $_[0] } },
    );
}

my $city = tree('GeoIP2-City');
$city->insert_network('8.8.8.0/24', {
    country => { iso_code => 'US', names => { en => 'United States' } },
    city    => { names => { en => 'Mountain View' } },
});
$city->insert_network('193.0.0.0/21', {
    country => { iso_code => 'NL', names => { en => 'Netherlands' } },
    city    => { names => { en => 'Amsterdam' } },
});
$city->insert_network('2001:4860::/32', {
    country => { iso_code => 'US', names => { en => 'United States' } },
});
$city->insert_network('141.81.0.0/16', {
    country => { iso_code => 'DE', names => { en => 'Germany' } },
});

my $asn = tree('GeoLite2-ASN');
$asn->insert_network('8.8.8.0/24', {
    autonomous_system_number       => 15169,
    autonomous_system_organization => 'GOOGLE',
});
$asn->insert_network('193.0.0.0/21', {
    autonomous_system_number       => 3333,
    autonomous_system_organization => 'RIPE-NCC-AS',
});

for ([$city, $city_out], [$asn, $asn_out]) {
    my ($t, $path) = @$_;
    open(my $fh, '>:raw', $path) or die "$path: $!\n";
    $t->write_tree($fh);
    close($fh) or die "$path: $!\n";
}
