# The features of the two supervised models, shared by make demo and scripts/train-defaults.sh; the
# "AWS Risk - Train ..." saved searches in default/savedsearches.conf use the same lists.
CONSOLE_FIELDS="ct_off_hours ct_ip_class ct_ua_family ct_failure ct_mfa ct_root awsRegion"
APICALL_FIELDS="eventName eventSource userAgent userIdentity.type ct_failure ct_error_class ct_off_hours ct_ip_class ct_ua_family ct_cross_account"
