/*
 * Long lists of checkboxes (the multi_choice macro in templates/_forms.html): a filter
 * box that hides what does not match, and a "Chosen: …" line kept up to date.
 * The fields work without this script; it only makes long lists quicker to use.
 */
( function () {
	'use strict';

	// Lower case, without accents: "Åland" is found by "aland", "Côte" by "cote".
	function fold( text ) {
		return text.normalize( 'NFD' ).replace( /[\u0300-\u036f]/g, '' ).toLocaleLowerCase();
	}

	function enhance( field ) {
		var filter = field.querySelector( '.multi-choice__filter' );
		var input = filter.querySelector( 'input' );
		var none = field.querySelector( '.multi-choice__none' );
		var names = field.querySelector( '.multi-choice__names' );
		var groups = Array.prototype.slice.call( field.querySelectorAll( '.multi-choice__group' ) );
		var items = Array.prototype.slice.call( field.querySelectorAll( '.multi-choice__options li' ) );
		var keys = items.map( function ( item ) {
			return fold( item.textContent ) + ' ' + item.querySelector( 'input' ).value.toLowerCase();
		} );

		function applyFilter() {
			var words = fold( input.value ).split( /\s+/ ).filter( Boolean );
			var shown = 0;
			items.forEach( function ( item, index ) {
				var match = words.every( function ( word ) {
					return keys[ index ].indexOf( word ) !== -1;
				} );
				item.hidden = !match;
				shown += match ? 1 : 0;
			} );
			groups.forEach( function ( group ) {
				group.hidden = !group.querySelector( 'li:not([hidden])' );
			} );
			none.hidden = shown > 0;
			none.textContent = shown > 0 ? '' : none.getAttribute( 'data-text' );
		}

		function showChosen() {
			var chosen = items.filter( function ( item ) {
				return item.querySelector( 'input' ).checked;
			} ).map( function ( item ) {
				return item.textContent.trim();
			} );
			names.textContent = chosen.length ? chosen.join( ', ' ) : names.getAttribute( 'data-none' );
		}

		filter.hidden = false;
		input.addEventListener( 'input', applyFilter );
		input.addEventListener( 'keydown', function ( event ) {
			if ( event.key === 'Enter' ) {
				event.preventDefault(); // a filter box does not send the form
			}
		} );
		field.addEventListener( 'change', showChosen );
		if ( input.value ) {
			applyFilter(); // the browser kept what was typed (back button)
		}
		showChosen();
	}

	Array.prototype.forEach.call( document.querySelectorAll( '.multi-choice' ), enhance );
}() );
